//! `civicpulse themes train|evaluate|labels`: the themes model from a labelled CSV file, with
//! the figures printed for a person and the predictions written for anyone to measure; and
//! analysts' corrections exported as such a file, so the model learns from them.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use civicpulse_analytics::themes::evaluate::{self, Scores};
use civicpulse_analytics::themes::labels::LabelledComment;
use civicpulse_analytics::themes::{LabelledSet, LabelsOptions, Model, Sentiment, TrainOptions};
use civicpulse_core::{Catalog, Config};
use civicpulse_store::tables::theme_corrections::{self, Label};

use crate::cli::{LabelsArgs, ThemesCommand};

pub async fn execute(
    command: ThemesCommand,
    config: &Config,
    catalog: &Catalog,
) -> anyhow::Result<()> {
    match command {
        ThemesCommand::Labels { out } => {
            let store = civicpulse_store::Store::connect(&config.clickhouse).await?;
            let corrected = theme_corrections::labels(&store.client).await?;
            anyhow::ensure!(
                !corrected.is_empty(),
                "no comment has been corrected yet (POST /api/v1/feedback/comments/{{event_id}}/themes): nothing written"
            );
            let (set, left_out) = labelled(catalog, corrected);
            let file = std::fs::File::create(&out)
                .with_context(|| format!("writing {}", out.display()))?;
            set.write(std::io::BufWriter::new(file))
                .with_context(|| format!("writing {}", out.display()))?;
            println!(
                "{} corrected comments, {} themes, written to {}",
                set.comments.len(),
                set.themes.len(),
                out.display()
            );
            for (theme, count) in left_out {
                eprintln!(
                    "left out: `{theme}` on {count} comments, no longer a theme of the catalog"
                );
            }
            Ok(())
        }
        ThemesCommand::Train { labels, out } => {
            let set = read(&labels.labels, &labels, catalog)?;
            let started = Instant::now();
            let model = Model::train(&catalog.themes, &set, &TrainOptions::default())?;
            let took = started.elapsed();
            model
                .save(&out)
                .with_context(|| format!("writing {}", out.display()))?;
            println!(
                "trained on {} comments, {} themes in {:.2} s; fingerprint {}; written to {}",
                set.comments.len(),
                set.themes.len(),
                took.as_secs_f64(),
                model.fingerprint(),
                out.display()
            );
            Ok(())
        }
        ThemesCommand::Evaluate {
            labels,
            test_share,
            seed,
            test,
            predictions,
        } => {
            anyhow::ensure!(
                (0.0..1.0).contains(&test_share) && test_share > 0.0,
                "--test-share must be between 0 and 1"
            );
            let set = read(&labels.labels, &labels, catalog)?;
            let (train, test) = match test {
                Some(path) => {
                    let test = read(&path, &labels, catalog)?;
                    anyhow::ensure!(
                        test.themes == set.themes,
                        "{} and {} have different theme columns",
                        labels.labels.display(),
                        path.display()
                    );
                    (set, test)
                }
                None => {
                    let (train, test) = evaluate::split(&set, test_share, seed);
                    anyhow::ensure!(
                        !train.is_empty() && !test.is_empty(),
                        "the split leaves no training or no test comment"
                    );
                    (set.subset(&train), set.subset(&test))
                }
            };
            let options = TrainOptions {
                seed,
                ..TrainOptions::default()
            };
            let result = evaluate::evaluate(&catalog.themes, &train, &test, &options)?;
            println!(
                "{} training and {} test comments, {} themes",
                train.comments.len(),
                test.comments.len(),
                test.themes.len()
            );
            print_table(result.seeds.as_ref(), &result.model, &result.baseline);
            println!(
                "training time: model {:.2} s, baseline {:.2} s",
                result.model_training.as_secs_f64(),
                result.baseline_training.as_secs_f64()
            );
            let lexicon = Model::cold_start(&catalog.themes);
            for (name, model) in [("lexicon", &lexicon), ("model", &result.trained)] {
                if let Some(s) = evaluate::sentiment_scores(model, &test) {
                    println!(
                        "sentiment ({name}): accuracy {:.3}, macro F1 {:.3} over {} comments",
                        s.accuracy, s.macro_f1, s.compared
                    );
                }
            }
            if let Some(path) = predictions {
                write_predictions(&path, &result.trained, &test)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            Ok(())
        }
    }
}

/// Corrections as labels over the catalog's themes (its leaves, in catalog order, a column
/// each even where no correction names it: those are the negatives), and the themes of
/// corrections the catalog no longer has, with how many comments named each.
fn labelled(catalog: &Catalog, corrected: Vec<Label>) -> (LabelledSet, Vec<(String, usize)>) {
    let themes: Vec<String> = civicpulse_core::theme::leaves(&catalog.themes)
        .map(|t| t.id.clone())
        .collect();
    let mut left_out: std::collections::BTreeMap<String, usize> = Default::default();
    let comments = corrected
        .into_iter()
        .enumerate()
        .map(|(i, label)| {
            for theme in label.themes.iter().filter(|t| !themes.contains(t)) {
                *left_out.entry(theme.clone()).or_default() += 1;
            }
            LabelledComment {
                line: i as u64 + 2,
                id: Some(label.id),
                text: label.comment,
                language: None,
                service_id: Some(label.service_id),
                sentiment: Sentiment::parse(&label.sentiment),
                labels: themes.iter().map(|t| label.themes.contains(t)).collect(),
                split: None,
            }
        })
        .collect();
    (
        LabelledSet { themes, comments },
        left_out.into_iter().collect(),
    )
}

fn read(path: &Path, args: &LabelsArgs, catalog: &Catalog) -> anyhow::Result<LabelledSet> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let options = LabelsOptions {
        text_column: args.text_column.clone(),
        known_themes: (args.taxonomy == "catalog").then(|| {
            civicpulse_core::theme::leaves(&catalog.themes)
                .map(|t| t.id.clone())
                .collect()
        }),
    };
    LabelledSet::read(std::io::BufReader::new(file), &options)
        .with_context(|| format!("reading {}", path.display()))
}

fn print_table(seeds: Option<&Scores>, model: &Scores, baseline: &Scores) {
    println!(
        "{:28} {:>7} | {:>21} | {:>21} | {:>21}",
        "theme", "support", "seeds P / R / F1", "model P / R / F1", "baseline P / R / F1"
    );
    let cell = |s: Option<&evaluate::ThemeScores>| match s {
        Some(s) => format!("{:.2} / {:.2} / {:.2}", s.precision, s.recall, s.f1),
        None => "-".to_string(),
    };
    for (i, theme) in model.themes.iter().enumerate() {
        println!(
            "{:28} {:>7} | {:>21} | {:>21} | {:>21}",
            theme.theme,
            theme.support,
            cell(seeds.map(|s| &s.themes[i])),
            cell(Some(theme)),
            cell(Some(&baseline.themes[i]))
        );
    }
    let averages = |s: Option<&Scores>| {
        s.map_or("-".to_string(), |s| {
            format!("{:.3} / {:.3}", s.macro_f1, s.micro_f1)
        })
    };
    println!(
        "{:36} | {:>21} | {:>21} | {:>21}",
        "macro / micro F1",
        averages(seeds),
        averages(Some(model)),
        averages(Some(baseline))
    );
}

/// One row per test comment: its id (or line), the themes predicted, the sentiment and every
/// theme's score.
fn write_predictions(path: &Path, model: &Model, test: &LabelledSet) -> anyhow::Result<()> {
    let mut csv = csv::Writer::from_path(path)?;
    let mut header = vec![
        "id".to_string(),
        "themes".into(),
        "sentiment".into(),
        "sentiment_score".into(),
    ];
    header.extend(model.themes().iter().map(|t| format!("score:{}", t.id)));
    csv.write_record(&header)?;
    for comment in &test.comments {
        let reading = model.read(
            &comment.text,
            comment.language,
            comment.service_id.as_deref(),
        );
        let themes: Vec<&str> = reading.tags.iter().map(|t| t.theme.as_str()).collect();
        let mut row = vec![
            comment
                .id
                .clone()
                .unwrap_or_else(|| format!("line {}", comment.line)),
            themes.join(";"),
            reading.sentiment.sentiment.name().to_string(),
            format!("{:.4}", reading.sentiment.score),
        ];
        row.extend(reading.scores.iter().map(|s| format!("{s:.4}")));
        csv.write_record(&row)?;
    }
    csv.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::from_toml_str(include_str!("../catalog.toml")).unwrap()
    }

    fn label(id: &str, text: &str, themes: &[&str], sentiment: &str) -> Label {
        Label {
            id: id.into(),
            service_id: "passport-by-mail".into(),
            comment: text.into(),
            themes: themes.iter().map(|t| t.to_string()).collect(),
            sentiment: sentiment.into(),
        }
    }

    /// The loop's first step: a handful of corrections is a file `train` reads, with a
    /// column per catalog theme, and training on it gives a model of its own fingerprint.
    #[test]
    fn corrections_are_labels_train_reads_and_learns_from() {
        let catalog = catalog();
        let (set, left_out) = labelled(
            &catalog,
            vec![
                label(
                    "a",
                    "Waited, then the fee, \"again\".",
                    &["waiting-time", "fees-cost", "retired-theme"],
                    "negative",
                ),
                label("b", "Lovely staff", &["praise"], ""),
            ],
        );
        assert_eq!(left_out, [("retired-theme".to_string(), 1)]);
        let leaves = civicpulse_core::theme::leaves(&catalog.themes).count();
        assert_eq!(set.themes.len(), leaves);
        let mut file = Vec::new();
        set.write(&mut file).unwrap();
        let options = LabelsOptions {
            known_themes: Some(set.themes.clone()),
            ..LabelsOptions::default()
        };
        let read = LabelledSet::read(file.as_slice(), &options).unwrap();
        assert_eq!(read, set);
        let first = &read.comments[0];
        let carried: Vec<&str> = read
            .themes
            .iter()
            .zip(&first.labels)
            .filter(|(_, on)| **on)
            .map(|(t, _)| t.as_str())
            .collect();
        assert_eq!(carried, ["waiting-time", "fees-cost"]);
        assert_eq!(first.sentiment, Some(Sentiment::Negative));
        assert_eq!(read.comments[1].sentiment, None);
        let trained = Model::train(&catalog.themes, &read, &TrainOptions::default()).unwrap();
        assert_ne!(
            trained.fingerprint(),
            Model::from_catalog(&catalog).fingerprint()
        );
    }
}
