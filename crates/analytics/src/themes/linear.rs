//! Linear models trained by liblinear (the C++ library behind scikit-learn's LinearSVC and
//! liblinear logistic regression, bundled by the `liblinear` crate), kept as plain weights so
//! a model serialises, fingerprints and predicts without the C library's state.

use liblinear::util::TrainingInput;
use liblinear::{Builder, LibLinearModel, SolverType};
use serde::{Deserialize, Serialize};

use super::error::ThemesError;

/// A sparse, l2-normalised row: (1-based feature index, value), ascending.
pub type Row = Vec<(u32, f64)>;

/// Which liblinear solver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Solver {
    /// L2-regularised logistic regression (primal trust-region Newton): probabilities, and no
    /// random coordinate order, so training is deterministic.
    Logistic,
    /// L2-regularised L2-loss linear SVM (dual coordinate descent): the baseline's. Its
    /// coordinate order draws from the C library's process-wide `rand()`, so each training
    /// reseeds it under [`RAND`] and the same rows give the same model.
    Svm,
}

/// Serialises the trainings that read the C library's `rand()` (the SVM's), so parallel
/// themes cannot interleave their draws and make a run differ from the last.
static RAND: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// One binary linear decision function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Linear {
    /// Weight of feature `i + 1`.
    pub weights: Vec<f32>,
    pub bias: f32,
}

impl Linear {
    pub fn decision(&self, row: &[(u32, f64)]) -> f64 {
        let dot: f64 = row
            .iter()
            .filter_map(|&(i, x)| self.weights.get(i as usize - 1).map(|w| f64::from(*w) * x))
            .sum();
        dot + f64::from(self.bias)
    }

    /// The logistic probability of a [`Solver::Logistic`] model.
    pub fn probability(&self, row: &[(u32, f64)]) -> f64 {
        1.0 / (1.0 + (-self.decision(row)).exp())
    }
}

/// Trains one binary model; `None` when the rows hold a single class (nothing to learn).
pub fn train_binary(
    rows: &[Row],
    positive: &[bool],
    solver: Solver,
    cost: f64,
) -> Result<Option<Linear>, ThemesError> {
    if positive.iter().all(|&p| p) || !positive.iter().any(|&p| p) {
        return Ok(None);
    }
    let labels: Vec<f64> = positive
        .iter()
        .map(|&p| if p { 1.0 } else { -1.0 })
        .collect();
    let mut models = train(rows, labels, solver, cost)?;
    Ok(models.pop())
}

/// Trains one-vs-rest models for classes `0..classes`; a class absent from the rows gets none.
pub fn train_multiclass(
    rows: &[Row],
    class: &[usize],
    classes: usize,
    cost: f64,
) -> Result<Vec<Option<Linear>>, ThemesError> {
    let mut out = vec![None; classes];
    for (c, slot) in out.iter_mut().enumerate() {
        let positive: Vec<bool> = class.iter().map(|&k| k == c).collect();
        *slot = train_binary(rows, &positive, Solver::Logistic, cost)?;
    }
    Ok(out)
}

fn train(
    rows: &[Row],
    labels: Vec<f64>,
    solver: Solver,
    cost: f64,
) -> Result<Vec<Linear>, ThemesError> {
    let features = rows.len();
    let input = TrainingInput::from_sparse_features(labels, rows.to_vec())
        .map_err(|e| ThemesError::Train(e.to_string()))?;
    let mut builder = Builder::new();
    builder.problem().input_data(input).bias(1.0);
    builder
        .parameters()
        .solver_type(match solver {
            Solver::Logistic => SolverType::L2R_LR,
            Solver::Svm => SolverType::L2R_L2LOSS_SVC_DUAL,
        })
        .stopping_criterion(match solver {
            Solver::Logistic => 0.01,
            Solver::Svm => 0.1,
        })
        .constraints_violation_cost(cost);
    // Held until the model is built: no other training moves `rand()` in between.
    let _reseeded = (solver == Solver::Svm).then(|| {
        let guard = RAND.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: srand only sets the C library's generator state, which the lock guards.
        unsafe { libc::srand(1) };
        guard
    });
    let model = builder
        .build_model()
        .map_err(|e| ThemesError::Train(format!("{e} ({features} rows)")))?;
    // liblinear orders labels as it met them; a binary model's weights are for labels[0].
    let sign = if model.labels().first() == Some(&1) {
        1.0
    } else {
        -1.0
    };
    let weights = (1..=model.num_features() as i32)
        .map(|i| (sign * model.feature_coefficient(i, 0)) as f32)
        .collect();
    let bias = (sign * model.label_bias(0)) as f32;
    Ok(vec![Linear { weights, bias }])
}

/// liblinear prints its progress to standard output unless told not to, once per process.
pub fn quiet() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| liblinear::toggle_liblinear_stdout_output(false));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_separable_problem_is_learned_with_the_right_sign() {
        quiet();
        // Feature 1 means positive, feature 2 negative; the negative class comes first.
        let rows: Vec<Row> = (0..20)
            .map(|i| {
                if i % 2 == 0 {
                    vec![(2, 1.0)]
                } else {
                    vec![(1, 1.0)]
                }
            })
            .collect();
        let positive: Vec<bool> = (0..20).map(|i| i % 2 == 1).collect();
        for solver in [Solver::Logistic, Solver::Svm] {
            let model = train_binary(&rows, &positive, solver, 10.0)
                .unwrap()
                .unwrap();
            assert!(model.decision(&[(1, 1.0)]) > 0.0, "{solver:?}");
            assert!(model.decision(&[(2, 1.0)]) < 0.0, "{solver:?}");
        }
        assert_eq!(
            train_binary(&rows, &[false; 20], Solver::Logistic, 1.0).unwrap(),
            None
        );
    }
}
