//! Interval arithmetic for the matrix and for interventions. Pure functions, tested on
//! published values.
//!
//! - shares: Wilson score interval (good coverage at small n and near 0 or 1);
//! - means of 1–5 answers: normal approximation, mean ± z·s/√n (n ≥ k, so z is close to t);
//! - a difference of two shares: Newcombe's hybrid score interval (method 10 of Newcombe
//!   1998), built from the two Wilson intervals;
//! - a difference of means, and a difference-in-differences: normal approximation with the
//!   variances of the independent estimates added.

/// The 97.5 % quantile of the standard normal distribution: two-sided 95 % intervals.
pub const Z95: f64 = 1.959_963_984_540_054;

/// An estimate with what is needed to compare it with another: its sample size and the
/// variance of the estimate (None for figures without one, such as counts or p90).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub n: u64,
    pub variance: Option<f64>,
    pub interval: Option<(f64, f64)>,
}

impl Estimate {
    /// A figure without sampling error worth modelling (a count, a percentile, a gap).
    pub fn plain(value: f64, n: u64) -> Estimate {
        Estimate {
            value,
            n,
            variance: None,
            interval: None,
        }
    }

    /// `successes` out of `n` with its Wilson interval; None when n is 0. A ratio above 1
    /// (more decisions than applications in a period) is shown without an interval.
    pub fn share(successes: u64, n: u64) -> Option<Estimate> {
        let p = successes as f64 / n as f64;
        (n > 0).then(|| Estimate {
            value: p,
            n,
            variance: (successes <= n).then(|| p * (1.0 - p) / n as f64),
            interval: wilson(successes, n),
        })
    }

    /// The mean of answers from their count, sum and sum of squares; None when n is 0.
    pub fn mean(n: u64, sum: f64, sum_of_squares: f64) -> Option<Estimate> {
        if n == 0 {
            return None;
        }
        let count = n as f64;
        let mean = sum / count;
        let sample_variance = if n > 1 {
            ((sum_of_squares - sum * sum / count) / (count - 1.0)).max(0.0)
        } else {
            0.0
        };
        let variance = sample_variance / count;
        let half = Z95 * variance.sqrt();
        Some(Estimate {
            value: mean,
            n,
            variance: Some(variance),
            interval: (n > 1).then_some((mean - half, mean + half)),
        })
    }
}

/// Wilson score interval for `successes` out of `n` at 95 %.
pub fn wilson(successes: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 || successes > n {
        return None;
    }
    let n = n as f64;
    let p = successes as f64 / n;
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = Z95 / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// The change `after − before` with a 95 % interval: Newcombe's hybrid score interval for
/// shares (both must carry Wilson intervals), the normal approximation otherwise. None
/// when either side has no variance.
pub fn difference(after: &Estimate, before: &Estimate, is_share: bool) -> Option<(f64, f64)> {
    let change = after.value - before.value;
    if is_share {
        let (after_low, after_high) = after.interval?;
        let (before_low, before_high) = before.interval?;
        let low = change
            - ((after.value - after_low).powi(2) + (before_high - before.value).powi(2)).sqrt();
        let high = change
            + ((after_high - after.value).powi(2) + (before.value - before_low).powi(2)).sqrt();
        return Some((low, high));
    }
    let half = Z95 * (after.variance? + before.variance?).sqrt();
    Some((change - half, change + half))
}

/// Difference-in-differences: (treated after − before) − (peers after − before), with a
/// normal-approximation 95 % interval from the four independent variances.
pub fn difference_in_differences(
    treated_before: &Estimate,
    treated_after: &Estimate,
    peers_before: &Estimate,
    peers_after: &Estimate,
) -> (f64, Option<(f64, f64)>) {
    let estimate =
        (treated_after.value - treated_before.value) - (peers_after.value - peers_before.value);
    let variance = [treated_before, treated_after, peers_before, peers_after]
        .iter()
        .map(|e| e.variance)
        .sum::<Option<f64>>();
    let interval = variance.map(|v| {
        let half = Z95 * v.sqrt();
        (estimate - half, estimate + half)
    });
    (estimate, interval)
}

/// The nearest-rank percentile of a histogram of whole values (value → count): the
/// smallest value whose cumulative count reaches `fraction` of the total.
pub fn histogram_percentile(histogram: &[(i64, u64)], fraction: f64) -> Option<i64> {
    let total: u64 = histogram.iter().map(|(_, count)| count).sum();
    if total == 0 {
        return None;
    }
    let rank = ((fraction * total as f64).ceil() as u64).max(1);
    let mut sorted = histogram.to_vec();
    sorted.sort_unstable();
    let mut cumulative = 0;
    for (value, count) in sorted {
        cumulative += count;
        if cumulative >= rank {
            return Some(value);
        }
    }
    None
}

/// The median of peer figures (mean of the middle two for an even count).
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    } else {
        sorted[middle]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, tolerance: f64) {
        assert!(
            (actual - expected).abs() <= tolerance,
            "{actual} is not {expected} ± {tolerance}"
        );
    }

    #[test]
    fn wilson_matches_newcombes_published_examples() {
        // Newcombe (1998), "Two-sided confidence intervals for the single proportion",
        // Table I, method 3 (score without continuity correction).
        for (x, n, low, high) in [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611),
            (1, 29, 0.0061, 0.1718),
        ] {
            let (l, h) = wilson(x, n).unwrap();
            close(l, low, 0.0001);
            close(h, high, 0.0001);
        }
        assert_eq!(wilson(1, 0), None);
    }

    #[test]
    fn newcombe_hybrid_difference_matches_the_published_example() {
        // Newcombe (1998), "Interval estimation for the difference between independent
        // proportions", Table II example (a), method 10: 56/70 − 48/80 → (0.0524, 0.3339).
        let after = Estimate::share(56, 70).unwrap();
        let before = Estimate::share(48, 80).unwrap();
        let (low, high) = difference(&after, &before, true).unwrap();
        close(low, 0.0524, 0.0001);
        close(high, 0.3339, 0.0001);
    }

    #[test]
    fn mean_interval_by_hand() {
        // Answers 1, 2, 3, 4, 5: mean 3, sample variance 2.5, se² = 0.5.
        let estimate = Estimate::mean(5, 15.0, 55.0).unwrap();
        close(estimate.value, 3.0, 1e-12);
        close(estimate.variance.unwrap(), 0.5, 1e-12);
        let (low, high) = estimate.interval.unwrap();
        close(high - 3.0, Z95 * 0.5f64.sqrt(), 1e-12);
        close(3.0 - low, Z95 * 0.5f64.sqrt(), 1e-12);
        assert_eq!(Estimate::mean(0, 0.0, 0.0), None);
    }

    #[test]
    fn did_on_a_constructed_case() {
        // Treated 60 % → 80 %, peers 60 % → 70 %: the intervention added 10 points.
        let treated_before = Estimate::share(60, 100).unwrap();
        let treated_after = Estimate::share(80, 100).unwrap();
        let peers_before = Estimate::share(600, 1000).unwrap();
        let peers_after = Estimate::share(700, 1000).unwrap();
        let (did, interval) =
            difference_in_differences(&treated_before, &treated_after, &peers_before, &peers_after);
        close(did, 0.10, 1e-12);
        let variance =
            0.6 * 0.4 / 100.0 + 0.8 * 0.2 / 100.0 + 0.6 * 0.4 / 1000.0 + 0.7 * 0.3 / 1000.0;
        let (low, high) = interval.unwrap();
        close(high - did, Z95 * f64::sqrt(variance), 1e-12);
        close(did - low, Z95 * f64::sqrt(variance), 1e-12);
        // A plain figure has no variance, so no interval.
        let (_, none) = difference_in_differences(
            &Estimate::plain(1.0, 5),
            &treated_after,
            &peers_before,
            &peers_after,
        );
        assert_eq!(none, None);
    }

    #[test]
    fn nearest_rank_percentiles_and_medians() {
        // 10 cases: 1,1,2,2,3,3,4,5,9,12 days → p90 is the 9th value, 9.
        let histogram = [(1, 2), (2, 2), (3, 2), (4, 1), (5, 1), (9, 1), (12, 1)];
        assert_eq!(histogram_percentile(&histogram, 0.9), Some(9));
        assert_eq!(histogram_percentile(&histogram, 0.5), Some(3));
        assert_eq!(histogram_percentile(&[], 0.9), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }
}
