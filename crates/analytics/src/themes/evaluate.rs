//! Measures on a held-out split: per-theme precision, recall, F1 and support, macro and
//! micro averages, for the seeds alone, the trained model and a baseline of TF-IDF word
//! 1–2-grams with a linear SVM whose cost and threshold are tuned like the model's (see
//! [`baseline`]), the comparison open research taggers publish.

use std::time::{Duration, Instant};

use civicpulse_core::theme::Theme;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use unicode_segmentation::UnicodeSegmentation;

use super::crossval;
use super::features::Vectoriser;
use super::labels::{LabelledSet, Split};
use super::linear::{self, Row, Solver};
use super::model::{Model, TrainOptions};
use super::sentiment::Sentiment;
use super::ThemesError;

/// One theme's measures.
#[derive(Debug, Clone, PartialEq)]
pub struct ThemeScores {
    pub theme: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Test comments carrying the theme.
    pub support: usize,
}

/// Measures of one tagger on one split.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    pub themes: Vec<ThemeScores>,
    /// Mean F1 over the themes with support in the test comments.
    pub macro_f1: f64,
    /// F1 of all (comment, theme) decisions pooled.
    pub micro_f1: f64,
}

/// Scores `predicted` against `truth` (per comment, one flag per theme of `themes`).
pub fn score(themes: &[String], truth: &[Vec<bool>], predicted: &[Vec<bool>]) -> Scores {
    let (mut all_tp, mut all_fp, mut all_fn) = (0usize, 0usize, 0usize);
    let per_theme: Vec<ThemeScores> = themes
        .iter()
        .enumerate()
        .map(|(t, theme)| {
            let (mut tp, mut fp, mut fn_) = (0, 0, 0);
            for (truth, predicted) in truth.iter().zip(predicted) {
                match (truth[t], predicted[t]) {
                    (true, true) => tp += 1,
                    (false, true) => fp += 1,
                    (true, false) => fn_ += 1,
                    _ => {}
                }
            }
            all_tp += tp;
            all_fp += fp;
            all_fn += fn_;
            ThemeScores {
                theme: theme.clone(),
                precision: ratio(tp, tp + fp),
                recall: ratio(tp, tp + fn_),
                f1: ratio(2 * tp, 2 * tp + fp + fn_),
                support: tp + fn_,
            }
        })
        .collect();
    let supported: Vec<f64> = per_theme
        .iter()
        .filter(|s| s.support > 0)
        .map(|s| s.f1)
        .collect();
    Scores {
        macro_f1: supported.iter().sum::<f64>() / supported.len().max(1) as f64,
        micro_f1: ratio(2 * all_tp, 2 * all_tp + all_fp + all_fn),
        themes: per_theme,
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Train and test indices: the file's `split` column when every comment has one, else a
/// shuffle by `seed` with `test_share` of the comments held out.
pub fn split(set: &LabelledSet, test_share: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    if set.comments.iter().all(|c| c.split.is_some()) {
        return (0..set.comments.len()).partition(|&i| set.comments[i].split == Some(Split::Train));
    }
    let mut order: Vec<usize> = (0..set.comments.len()).collect();
    order.shuffle(&mut rand::rngs::StdRng::seed_from_u64(seed));
    let test = ((set.comments.len() as f64) * test_share).round() as usize;
    let (test, train) = order.split_at(test.min(order.len()));
    let (mut train, mut test) = (train.to_vec(), test.to_vec());
    train.sort_unstable();
    test.sort_unstable();
    (train, test)
}

/// The three taggers measured on one split.
#[derive(Debug)]
pub struct Evaluation {
    /// Seeds alone, for the themes of the labels that the taxonomy has (none: not comparable).
    pub seeds: Option<Scores>,
    pub model: Scores,
    pub baseline: Scores,
    pub model_training: Duration,
    pub baseline_training: Duration,
    /// The trained model, to write predictions with.
    pub trained: Model,
}

/// Trains on `train`, measures on `test`.
pub fn evaluate(
    taxonomy: &[Theme],
    train: &LabelledSet,
    test: &LabelledSet,
    options: &TrainOptions,
) -> Result<Evaluation, ThemesError> {
    let truth: Vec<Vec<bool>> = test.comments.iter().map(|c| c.labels.clone()).collect();
    let started = Instant::now();
    let trained = Model::train(taxonomy, train, options)?;
    let model_training = started.elapsed();
    let predicted = predict(&trained, test);
    let model = score(&test.themes, &truth, &predicted);

    let cold = Model::cold_start(taxonomy);
    let seeds = test
        .themes
        .iter()
        .any(|t| cold.themes().iter().any(|m| &m.id == t))
        .then(|| score(&test.themes, &truth, &predict(&cold, test)));

    let started = Instant::now();
    let baseline_predicted = baseline(train, test, options)?;
    let baseline_training = started.elapsed();
    let baseline = score(&test.themes, &truth, &baseline_predicted);
    Ok(Evaluation {
        seeds,
        model,
        baseline,
        model_training,
        baseline_training,
        trained,
    })
}

/// The model's decisions on `set`, one flag per theme of the set (a theme the model does not
/// know is never predicted).
pub fn predict(model: &Model, set: &LabelledSet) -> Vec<Vec<bool>> {
    set.comments
        .iter()
        .map(|c| {
            let tags = model.tag(&c.text, c.language, c.service_id.as_deref());
            set.themes
                .iter()
                .map(|t| tags.iter().any(|tag| &tag.theme == t))
                .collect()
        })
        .collect()
}

/// Costs (C) the baseline's SVM tries per theme, three like the model's: the decades around
/// liblinear's default of 1 (on the suite's split, adding 0.01 and 100 moved its macro F1 by
/// 0.001 and made training on 20 000 comments minutes long).
pub const BASELINE_COSTS: [f64; 3] = [0.1, 1.0, 10.0];

/// The baseline a practitioner would run: lower-cased Unicode words and their pairs, TF-IDF
/// (raw counts), one L2-regularised L2-loss linear SVM per theme (liblinear's dual solver), with each
/// theme's cost (of [`BASELINE_COSTS`]) and decision threshold chosen by the model's own
/// cross-validation on the training comments (same folds and seed). No stemming, negation or
/// seeds: what those add is what the comparison measures.
pub fn baseline(
    train: &LabelledSet,
    test: &LabelledSet,
    options: &TrainOptions,
) -> Result<Vec<Vec<bool>>, ThemesError> {
    linear::quiet();
    let terms = |text: &str| -> Vec<String> {
        let words: Vec<String> = text.unicode_words().map(str::to_lowercase).collect();
        let pairs = words.windows(2).map(|p| format!("{} {}", p[0], p[1]));
        words.iter().cloned().chain(pairs).collect()
    };
    let train_terms: Vec<Vec<String>> = train.comments.iter().map(|c| terms(&c.text)).collect();
    let vectoriser = Vectoriser::fit(train_terms.iter().map(Vec::as_slice), 1, false);
    let rows: Vec<Row> = train_terms
        .iter()
        .map(|t| vectoriser.transform(t))
        .collect();
    let test_rows: Vec<Row> = test
        .comments
        .iter()
        .map(|c| vectoriser.transform(&terms(&c.text)))
        .collect();
    let fold = crossval::fold_of(rows.len(), options.folds.max(2), options.seed);
    let columns = crossval::in_parallel(test.themes.len(), options.threads, |t| {
        let truth: Vec<bool> = train.comments.iter().map(|c| c.labels[t]).collect();
        let Some(chosen) = crossval::choose(&rows, &truth, &fold, &BASELINE_COSTS, Solver::Svm)?
        else {
            return Ok(vec![false; test_rows.len()]);
        };
        Ok(
            match linear::train_binary(&rows, &truth, Solver::Svm, chosen.cost)? {
                Some(model) => test_rows
                    .iter()
                    .map(|row| model.decision(row) >= chosen.threshold)
                    .collect(),
                None => vec![false; test_rows.len()],
            },
        )
    })?;
    Ok((0..test_rows.len())
        .map(|i| columns.iter().map(|column| column[i]).collect())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macro_f1_averages_the_themes_present_and_micro_pools_decisions() {
        let themes = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        let truth = vec![vec![true, false, false], vec![true, true, false]];
        let predicted = vec![vec![true, true, false], vec![false, true, false]];
        let scores = score(&themes, &truth, &predicted);
        // a: P 1, R 1/2, F1 2/3; b: P 1/2, R 1, F1 2/3; c has no support.
        assert!((scores.macro_f1 - 2.0 / 3.0).abs() < 1e-9);
        assert!((scores.micro_f1 - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(scores.themes[0].support, 2);
        assert_eq!(scores.themes[2].f1, 0.0);
    }
}

/// How a model's sentiment agrees with a set's labels.
#[derive(Debug, Clone, PartialEq)]
pub struct SentimentScores {
    /// Comments with a labelled sentiment (the others are left out).
    pub compared: usize,
    pub accuracy: f64,
    /// The mean over negative, mixed and positive of each class's F1.
    pub macro_f1: f64,
}

/// `model`'s sentiment against the labels of `set`; `None` when no comment has one.
pub fn sentiment_scores(model: &Model, set: &LabelledSet) -> Option<SentimentScores> {
    let pairs: Vec<(Sentiment, Sentiment)> = set
        .comments
        .iter()
        .filter_map(|c| {
            let truth = c.sentiment?;
            let read = model.read(&c.text, c.language, c.service_id.as_deref());
            Some((truth, read.sentiment.sentiment))
        })
        .collect();
    if pairs.is_empty() {
        return None;
    }
    let right = pairs.iter().filter(|(t, p)| t == p).count();
    let f1 = |class: Sentiment| {
        let tp = pairs
            .iter()
            .filter(|(t, p)| *t == class && *p == class)
            .count() as f64;
        let predicted = pairs.iter().filter(|(_, p)| *p == class).count() as f64;
        let actual = pairs.iter().filter(|(t, _)| *t == class).count() as f64;
        if predicted + actual == 0.0 {
            0.0
        } else {
            2.0 * tp / (predicted + actual)
        }
    };
    Some(SentimentScores {
        compared: pairs.len(),
        accuracy: right as f64 / pairs.len() as f64,
        macro_f1: Sentiment::ALL.iter().map(|c| f1(*c)).sum::<f64>() / 3.0,
    })
}
