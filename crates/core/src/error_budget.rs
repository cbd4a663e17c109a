//! Error budgets of a service standard, as pure functions (the SRE reading of an SLA).
//!
//! A standard with target ratio T (say 0.9: nine cases in ten within the limit) allows a
//! share 1 − T of closed cases to breach: that share is the budget.
//! - remaining = 1 − breached / ((1 − T) × closed): 1 when nothing closed, 0 when the
//!   budget is spent exactly, negative once it is overspent;
//! - burn rate over a window = (breached / closed in the window) / (1 − T): 1 spends the
//!   budget exactly over the window, above 1 faster (what burn-rate alerts page on).
//!
//! A target of 1 allows no breach at all: any breach burns infinitely fast and leaves an
//! infinitely negative budget. Figures are rounded to 4 decimals once, from exact shares.

/// Rounds to 4 decimals; infinities stay as they are.
pub fn round4(x: f64) -> f64 {
    if x.is_finite() {
        (x * 10_000.0).round() / 10_000.0
    } else {
        x
    }
}

/// `part / whole`, rounded; None when nothing is in `whole`.
pub fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| round4(part as f64 / whole as f64))
}

/// The burn rate of a window with `closed` cases of which `breached` breached; None when
/// none closed in the window.
pub fn burn_rate(breached: u64, closed: u64, target_ratio: f64) -> Option<f64> {
    let allowed_share = 1.0 - target_ratio;
    (closed > 0).then(|| {
        let share = breached as f64 / closed as f64;
        if allowed_share > 0.0 {
            round4(share / allowed_share)
        } else if breached == 0 {
            0.0
        } else {
            f64::INFINITY
        }
    })
}

/// The share of the budget left after `breached` of `closed` cases breached.
pub fn remaining(breached: u64, closed: u64, target_ratio: f64) -> f64 {
    let allowed_share = 1.0 - target_ratio;
    if closed == 0 || breached == 0 {
        1.0
    } else if allowed_share > 0.0 {
        round4(1.0 - breached as f64 / (allowed_share * closed as f64))
    } else {
        f64::NEG_INFINITY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_spent_exactly_burns_at_one_and_leaves_nothing() {
        // Target 0.9 allows 10 breaches in 100 closed cases.
        assert_eq!(burn_rate(10, 100, 0.9), Some(1.0));
        assert_eq!(remaining(10, 100, 0.9), 0.0);
        assert_eq!(remaining(5, 100, 0.9), 0.5);
        assert_eq!(burn_rate(5, 100, 0.9), Some(0.5));
    }

    #[test]
    fn an_overspent_budget_is_negative_and_burns_faster_than_one() {
        assert_eq!(remaining(30, 100, 0.9), -2.0);
        assert_eq!(burn_rate(30, 100, 0.9), Some(3.0));
        // A 1-day window where 1 of 2 cases breached against a 0.95 target burns at 10×.
        assert_eq!(burn_rate(1, 2, 0.95), Some(10.0));
    }

    #[test]
    fn nothing_closed_means_no_rate_and_a_full_budget() {
        assert_eq!(burn_rate(0, 0, 0.9), None);
        assert_eq!(remaining(0, 0, 0.9), 1.0);
        assert_eq!(ratio(3, 0), None);
        assert_eq!(ratio(2, 3), Some(0.6667));
    }

    #[test]
    fn a_target_of_one_allows_no_breach() {
        assert_eq!(burn_rate(0, 50, 1.0), Some(0.0));
        assert_eq!(remaining(0, 50, 1.0), 1.0);
        assert_eq!(burn_rate(1, 50, 1.0), Some(f64::INFINITY));
        assert_eq!(remaining(1, 50, 1.0), f64::NEG_INFINITY);
    }

    #[test]
    fn rates_are_rounded_once_from_the_exact_share() {
        // 1/3 breached against 0.9: 3.3333…, not 0.3333 / 0.1 = 3.333.
        assert_eq!(burn_rate(1, 3, 0.9), Some(3.3333));
        assert_eq!(round4(f64::INFINITY), f64::INFINITY);
    }
}
