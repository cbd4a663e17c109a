//! Whether a figure changed between two periods, said only when the evidence supports it:
//! the change's 95 % interval (Newcombe's for shares, normal for means) must lie wholly on
//! one side of zero. Reports use it for "largest changes"; interventions for their verdicts.

use civicpulse_core::dimension::{Dimension, Direction};

use super::dimensions::{has_interval, measure};
use super::stats::difference;
use super::tally::Tally;

/// What the evidence says about a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Verdict {
    Improved,
    Worsened,
    /// The interval includes zero.
    NoClearChange,
    /// A count, percentile or gap: the change is shown unjudged.
    NoInterval,
    /// Too few observations on either side.
    InsufficientData,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Improved or worsened: a claim the report may make.
    pub fn is_supported(self) -> bool {
        matches!(self, Verdict::Improved | Verdict::Worsened)
    }
}

/// A figure in an earlier and a later tally, and the verdict on the difference.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub change: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub verdict: Verdict,
}

/// The change of `dimension` from `earlier` to `later`, each withheld below `min_n`.
pub fn between(earlier: &Tally, later: &Tally, dimension: Dimension, min_n: u64) -> Change {
    let before = measure(earlier, dimension, min_n);
    let after = measure(later, dimension, min_n);
    let (Some(before), Some(after)) = (before.estimate(), after.estimate()) else {
        return Change {
            before: before.estimate().map(|e| e.value),
            after: after.estimate().map(|e| e.value),
            change: None,
            ci_low: None,
            ci_high: None,
            verdict: Verdict::InsufficientData,
        };
    };
    let change = after.value - before.value;
    let interval = has_interval(dimension)
        .then(|| {
            let is_share = dimension.kind() == civicpulse_core::dimension::Kind::Share;
            difference(after, before, is_share)
        })
        .flatten();
    Change {
        before: Some(before.value),
        after: Some(after.value),
        change: Some(change),
        ci_low: interval.map(|(low, _)| low),
        ci_high: interval.map(|(_, high)| high),
        verdict: verdict(dimension, interval),
    }
}

/// A change is an improvement or a worsening only when its whole 95 % interval is on one
/// side of zero; which one depends on the dimension's direction.
pub fn verdict(dimension: Dimension, interval: Option<(f64, f64)>) -> Verdict {
    verdict_by(dimension.direction(), interval)
}

/// [`verdict`] for a figure that is not a [`Dimension`] (a theme's share), by its direction.
pub fn verdict_by(direction: Direction, interval: Option<(f64, f64)>) -> Verdict {
    let Some((low, high)) = interval else {
        return Verdict::NoInterval;
    };
    let better_when_positive = direction != Direction::LowerIsBetter;
    let rose = if low > 0.0 {
        true
    } else if high < 0.0 {
        false
    } else {
        return Verdict::NoClearChange;
    };
    if rose == better_when_positive {
        Verdict::Improved
    } else {
        Verdict::Worsened
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::tally::{QuestionSums, SlaOutcome};
    use civicpulse_core::dimension::Question;

    fn answers(top: usize, low: usize) -> Tally {
        let mut tally = Tally::default();
        let mut questions = [QuestionSums::default(); 7];
        let values: Vec<u8> = std::iter::repeat_n(5, top)
            .chain(std::iter::repeat_n(1, low))
            .collect();
        questions[0] = QuestionSums::of(&values);
        tally.add_responses(SlaOutcome::Unknown, values.len() as u64, questions);
        tally
    }

    #[test]
    fn a_change_is_claimed_only_when_its_interval_excludes_zero() {
        let top2 = Dimension::Top2Share(Question::Satisfaction);
        // 50 % → 80 % on 200 answers each: Newcombe's interval is about [0.21, 0.38].
        let rise = between(&answers(100, 100), &answers(160, 40), top2, 10);
        assert_eq!(rise.verdict, Verdict::Improved);
        assert!((rise.change.unwrap() - 0.3).abs() < 1e-12);
        assert!(rise.ci_low.unwrap() > 0.0);
        // 50 % → 60 % on 10 answers each: the interval spans zero.
        let noise = between(&answers(5, 5), &answers(6, 4), top2, 10);
        assert_eq!(noise.verdict, Verdict::NoClearChange);
        assert!(!noise.verdict.is_supported());
        // Too few before: nothing compared.
        let thin = between(&answers(2, 2), &answers(160, 40), top2, 10);
        assert_eq!(thin.verdict, Verdict::InsufficientData);
        assert_eq!((thin.before, thin.change), (None, None));
    }

    #[test]
    fn lower_is_better_dimensions_mirror_the_verdict() {
        assert_eq!(
            verdict(Dimension::ErrorReworkShare, Some((0.01, 0.05))),
            Verdict::Worsened
        );
        assert_eq!(
            verdict(Dimension::SlaCompliance, Some((0.01, 0.05))),
            Verdict::Improved
        );
        assert_eq!(verdict(Dimension::Transactions, None), Verdict::NoInterval);
    }
}
