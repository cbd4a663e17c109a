//! Green / amber / red, by documented rules (also in docs/analysts/quality-matrix.md#status-rules):
//!
//! 1. `not_available`: the breakdown does not carry the dimension, or the figure cannot
//!    mean what it says for the service (`dimensions::not_applicable`);
//! 2. `insufficient_data`: fewer than k observations — no figure is shown;
//! 3. `info`: volumes, which are neither good nor bad;
//! 4. the reference is the catalog's target, else the median of peer services in the same
//!    category (the benchmark); with neither, `no_reference`;
//! 5. where higher is better: `green` at or above the reference; `amber` below it but
//!    within the amber tolerance (value ≥ reference × (1 − tolerance)) or when the 95 %
//!    interval still reaches the reference; `red` otherwise. Where lower is better
//!    (p90 days, error share, equity gaps) the same, mirrored;
//! 6. a theme's share has no target, and a peer's comments are about its own service: it is
//!    judged against the service's previous period ([`against_previous`]). `red` when the
//!    95 % interval of the change (Newcombe's) lies wholly on the worse side, `amber` when
//!    it moved the worse way within that interval, `green` when it did not move the worse
//!    way; with no previous figure, `no_reference`.

use super::change::{verdict_by, Verdict};
use super::stats::{difference, Estimate};
use civicpulse_core::dimension::{Dimension, Direction};

/// A matrix figure's colour (a case's `met`/`breached`/… is `civicpulse_core::sla::Status`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString, strum::EnumIter,
)]
#[strum(serialize_all = "snake_case")]
pub enum MatrixStatus {
    Green,
    Amber,
    Red,
    NoReference,
    Info,
    InsufficientData,
    NotAvailable,
}

impl MatrixStatus {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// A number for gauges and Grafana's colour thresholds: 2 green, 1 amber, 0 red, −1 none.
    pub fn level(self) -> i64 {
        match self {
            MatrixStatus::Green => 2,
            MatrixStatus::Amber => 1,
            MatrixStatus::Red => 0,
            _ => -1,
        }
    }
}

/// The status of a shown figure against its reference (target, else benchmark).
pub fn judge(
    dimension: Dimension,
    estimate: &Estimate,
    reference: Option<f64>,
    tolerance: f64,
) -> MatrixStatus {
    let direction = dimension.direction();
    if direction == Direction::Neutral {
        return MatrixStatus::Info;
    }
    let Some(reference) = reference else {
        return MatrixStatus::NoReference;
    };
    let value = estimate.value;
    match direction {
        Direction::HigherIsBetter => {
            let interval_reaches = estimate.interval.is_some_and(|(_, high)| high >= reference);
            if value >= reference {
                MatrixStatus::Green
            } else if value >= reference * (1.0 - tolerance) || interval_reaches {
                MatrixStatus::Amber
            } else {
                MatrixStatus::Red
            }
        }
        Direction::LowerIsBetter => {
            let interval_reaches = estimate.interval.is_some_and(|(low, _)| low <= reference);
            if value <= reference {
                MatrixStatus::Green
            } else if value <= reference * (1.0 + tolerance) || interval_reaches {
                MatrixStatus::Amber
            } else {
                MatrixStatus::Red
            }
        }
        Direction::Neutral => MatrixStatus::Info,
    }
}

/// The status of a share against the same share in the previous period (rule 6).
pub fn against_previous(
    direction: Direction,
    current: &Estimate,
    previous: Option<&Estimate>,
) -> MatrixStatus {
    let Some(previous) = previous else {
        return MatrixStatus::NoReference;
    };
    match verdict_by(direction, difference(current, previous, true)) {
        Verdict::Worsened => MatrixStatus::Red,
        Verdict::Improved => MatrixStatus::Green,
        _ => {
            let worse = match direction {
                Direction::LowerIsBetter => current.value > previous.value,
                _ => current.value < previous.value,
            };
            if worse {
                MatrixStatus::Amber
            } else {
                MatrixStatus::Green
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_names_come_from_one_list() {
        use strum::IntoEnumIterator;
        for status in MatrixStatus::iter() {
            assert_eq!(status.as_str().parse::<MatrixStatus>().unwrap(), status);
        }
    }
    use civicpulse_core::dimension::Question;

    fn share(value: f64, interval: Option<(f64, f64)>) -> Estimate {
        Estimate {
            value,
            n: 100,
            variance: None,
            interval,
        }
    }

    #[test]
    fn a_theme_share_is_judged_against_its_previous_period() {
        let share = |k, n| Estimate::share(k, n).unwrap();
        let lower = Direction::LowerIsBetter;
        // 20 % → 35 % of 200 comments: a rise beyond chance.
        assert_eq!(
            against_previous(lower, &share(70, 200), Some(&share(40, 200))),
            MatrixStatus::Red
        );
        // 20 % → 23 %: the worse way, within chance.
        assert_eq!(
            against_previous(lower, &share(46, 200), Some(&share(40, 200))),
            MatrixStatus::Amber
        );
        assert_eq!(
            against_previous(lower, &share(40, 200), Some(&share(40, 200))),
            MatrixStatus::Green
        );
        assert_eq!(
            against_previous(lower, &share(10, 200), Some(&share(40, 200))),
            MatrixStatus::Green
        );
        // Praise: a fall beyond chance is the worse way.
        let higher = Direction::HigherIsBetter;
        assert_eq!(
            against_previous(higher, &share(10, 200), Some(&share(40, 200))),
            MatrixStatus::Red
        );
        assert_eq!(
            against_previous(higher, &share(70, 200), Some(&share(40, 200))),
            MatrixStatus::Green
        );
        assert_eq!(
            against_previous(lower, &share(70, 200), None),
            MatrixStatus::NoReference
        );
    }

    #[test]
    fn the_documented_rules() {
        let satisfaction = Dimension::Top2Share(Question::Satisfaction);
        let p90 = Dimension::SlaP90ElapsedDays;
        let cases = [
            // (dimension, value, interval, reference, expected)
            (satisfaction, 0.80, None, Some(0.80), MatrixStatus::Green),
            (satisfaction, 0.77, None, Some(0.80), MatrixStatus::Amber), // within 5 %
            (
                satisfaction,
                0.70,
                Some((0.62, 0.81)),
                Some(0.80),
                MatrixStatus::Amber,
            ), // interval reaches
            (
                satisfaction,
                0.70,
                Some((0.62, 0.78)),
                Some(0.80),
                MatrixStatus::Red,
            ),
            (satisfaction, 0.70, None, None, MatrixStatus::NoReference),
            (p90, 10.0, None, Some(10.0), MatrixStatus::Green),
            (p90, 10.4, None, Some(10.0), MatrixStatus::Amber),
            (p90, 12.0, None, Some(10.0), MatrixStatus::Red),
            (
                Dimension::ErrorReworkShare,
                0.03,
                None,
                Some(0.05),
                MatrixStatus::Green,
            ),
            (
                Dimension::ErrorReworkShare,
                0.08,
                Some((0.04, 0.12)),
                Some(0.05),
                MatrixStatus::Amber,
            ),
            (
                Dimension::Transactions,
                5.0,
                None,
                Some(1.0),
                MatrixStatus::Info,
            ),
        ];
        for (dimension, value, interval, reference, expected) in cases {
            assert_eq!(
                judge(dimension, &share(value, interval), reference, 0.05),
                expected,
                "{dimension} = {value} against {reference:?}"
            );
        }
    }
}
