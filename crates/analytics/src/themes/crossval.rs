//! The cross-validation that picks each theme's cost and decision threshold, in one place so
//! the model and the baseline it is compared with are tuned alike, on training comments only.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use rand::seq::SliceRandom;
use rand::SeedableRng;

use super::linear::{self, Linear, Row, Solver};
use super::ThemesError;

/// What cross-validation chose for one theme.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chosen {
    /// The out-of-fold F1 at `cost` and `threshold`.
    pub f1: f64,
    pub cost: f64,
    /// Tag where the score (see [`score`]) is at least this.
    pub threshold: f64,
}

/// Fold of each row, from a seeded shuffle.
pub fn fold_of(rows: usize, folds: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rows).collect();
    order.shuffle(&mut rand::rngs::StdRng::seed_from_u64(seed));
    let mut fold = vec![0; rows];
    for (position, &row) in order.iter().enumerate() {
        fold[row] = position % folds;
    }
    fold
}

/// The score a threshold is set on: the probability of a logistic model, the decision value
/// of an SVM (which has no probability); a fold that learned nothing scores a clear no.
pub fn score(model: Option<&Linear>, solver: Solver, row: &[(u32, f64)]) -> f64 {
    match (model, solver) {
        (Some(m), Solver::Logistic) => m.probability(row),
        (Some(m), Solver::Svm) => m.decision(row),
        (None, Solver::Logistic) => 0.0,
        (None, Solver::Svm) => -1.0,
    }
}

/// For each of `costs`, trains on all folds but one and scores the one left out; the cost
/// and threshold with the best out-of-fold F1 win (the first cost on a tie).
pub fn choose(
    rows: &[Row],
    truth: &[bool],
    fold: &[usize],
    costs: &[f64],
    solver: Solver,
) -> Result<Option<Chosen>, ThemesError> {
    let folds = fold.iter().max().map_or(0, |k| k + 1);
    let mut best: Option<Chosen> = None;
    for &cost in costs {
        let mut scores = vec![0.0; rows.len()];
        for k in 0..folds {
            let train: Vec<usize> = (0..rows.len()).filter(|&i| fold[i] != k).collect();
            let train_rows: Vec<Row> = train.iter().map(|&i| rows[i].clone()).collect();
            let train_truth: Vec<bool> = train.iter().map(|&i| truth[i]).collect();
            let model = linear::train_binary(&train_rows, &train_truth, solver, cost)?;
            for i in (0..rows.len()).filter(|&i| fold[i] == k) {
                scores[i] = score(model.as_ref(), solver, &rows[i]);
            }
        }
        let (f1, threshold) = best_threshold(&scores, truth);
        if best.is_none_or(|b| f1 > b.f1) {
            best = Some(Chosen {
                f1,
                cost,
                threshold,
            });
        }
    }
    Ok(best)
}

/// The threshold maximising F1 over `scores`, half-way between the last score taken and the
/// next, and that F1. Below the lowest score, "the next" is zero for a positive score (a
/// probability) and one less for any other (an SVM's decision value).
pub fn best_threshold(scores: &[f64], truth: &[bool]) -> (f64, f64) {
    let positives = truth.iter().filter(|&&t| t).count() as f64;
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let (mut tp, mut best) = (0.0, (0.0, 0.5));
    for (taken, window) in order.iter().enumerate() {
        if truth[*window] {
            tp += 1.0;
        }
        let predicted = (taken + 1) as f64;
        let f1 = 2.0 * tp / (predicted + positives);
        let score = scores[*window];
        let next = order
            .get(taken + 1)
            .map_or(if score > 0.0 { 0.0 } else { score - 1.0 }, |&n| scores[n]);
        if f1 > best.0 && score > next {
            best = (f1, (score + next) / 2.0);
        }
    }
    best
}

/// Runs `job(0..count)` on `threads` threads (0: the machine's cores), results in order:
/// themes train independently, so two cores train two at once.
pub fn in_parallel<T: Send>(
    count: usize,
    threads: usize,
    job: impl Fn(usize) -> Result<T, ThemesError> + Sync,
) -> Result<Vec<T>, ThemesError> {
    let results: Mutex<Vec<Option<Result<T, ThemesError>>>> =
        Mutex::new(std::iter::repeat_with(|| None).take(count).collect());
    let next = AtomicUsize::new(0);
    let threads = match threads {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    };
    std::thread::scope(|scope| {
        for _ in 0..threads.min(count).max(1) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let result = job(i);
                if let Ok(mut slots) = results.lock() {
                    slots[i] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .map_err(|_| ThemesError::Train("a training thread panicked".into()))?
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(ThemesError::Train("a theme was not trained".into()))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_falls_between_the_scores_that_give_the_best_f1() {
        // Taking the two highest gives F1 1.
        let (f1, threshold) = best_threshold(&[0.9, 0.8, 0.3, 0.1], &[true, true, false, false]);
        assert_eq!(f1, 1.0);
        assert!((threshold - 0.55).abs() < 1e-9);
        // An SVM's decision values, all negative: the threshold is negative too.
        let (f1, threshold) = best_threshold(&[-0.2, -0.6, -1.4], &[true, false, false]);
        assert_eq!(f1, 1.0);
        assert!((threshold + 0.4).abs() < 1e-9);
        // Everything taken: the threshold lies below the lowest decision value.
        let (_, threshold) = best_threshold(&[-0.5, -0.7], &[true, true]);
        assert!(threshold < -0.7, "{threshold}");
    }
}
