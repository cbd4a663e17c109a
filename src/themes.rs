//! `civicpulse themes train|evaluate`: the themes model from a labelled CSV file, with the
//! figures printed for a person and the predictions written for anyone to measure.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use civicpulse_analytics::themes::evaluate::{self, Scores};
use civicpulse_analytics::themes::{LabelledSet, LabelsOptions, Model, TrainOptions};
use civicpulse_core::Catalog;

use crate::cli::{LabelsArgs, ThemesCommand};

pub fn execute(command: ThemesCommand, catalog: &Catalog) -> anyhow::Result<()> {
    match command {
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
