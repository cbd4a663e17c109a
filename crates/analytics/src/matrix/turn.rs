//! When a share turned within a period: a month's 86 % can hide three weeks at 100 % and
//! two at 30 %. The buckets are split in two where the pooled shares before and after differ
//! most; the turn is claimed only when that difference is at least `MIN_TURN` and its 95 %
//! interval (Newcombe's, as for changes between periods) lies wholly on one side of zero.

use super::stats::{difference, Estimate};
use crate::suppression::withholds;

/// The smallest turn worth a sentence: ten percentage points.
pub const MIN_TURN: f64 = 0.10;

/// A share's turn: the buckets before `split` against those from it on.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    /// The index of the first bucket after the turn.
    pub split: usize,
    pub before: Estimate,
    pub after: Estimate,
}

/// The largest supported turn of a share over consecutive buckets, each given as
/// `(successes, n)` (None: a bucket without a shown figure, left out of both sides); each
/// side must rest on at least `min_n` observations.
pub fn turn(buckets: &[Option<(u64, u64)>], min_n: u64) -> Option<Turn> {
    let pooled = |side: &[Option<(u64, u64)>]| {
        let (successes, n) = side
            .iter()
            .flatten()
            .fold((0, 0), |(s, n), (bs, bn)| (s + bs, n + bn));
        (!withholds(n, min_n))
            .then(|| Estimate::share(successes, n))
            .flatten()
    };
    let mut best: Option<(f64, Turn)> = None;
    for split in 1..buckets.len() {
        let (Some(before), Some(after)) = (pooled(&buckets[..split]), pooled(&buckets[split..]))
        else {
            continue;
        };
        let change = after.value - before.value;
        let Some((low, high)) = difference(&after, &before, true) else {
            continue;
        };
        let supported = low > 0.0 || high < 0.0;
        if supported
            && change.abs() >= MIN_TURN
            && best.as_ref().is_none_or(|(b, _)| change.abs() > *b)
        {
            best = Some((
                change.abs(),
                Turn {
                    split,
                    before,
                    after,
                },
            ));
        }
    }
    best.map(|(_, turn)| turn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_weeks_on_target_then_two_far_below_is_a_turn() {
        let weeks = [
            Some((40, 40)),
            Some((38, 38)),
            Some((41, 41)),
            Some((12, 40)),
            Some((11, 36)),
        ];
        let turn = turn(&weeks, 10).expect("a turn");
        assert_eq!(turn.split, 3);
        assert_eq!(turn.before.value, 1.0);
        assert!((turn.after.value - 23.0 / 76.0).abs() < 1e-12);
    }

    #[test]
    fn noise_and_small_sides_are_no_turn() {
        // 80 % ± sampling noise.
        let steady = [
            Some((32, 40)),
            Some((30, 40)),
            Some((34, 40)),
            Some((31, 40)),
        ];
        assert_eq!(turn(&steady, 10), None);
        // The only split leaves 5 observations after it.
        let thin = [Some((40, 40)), Some((0, 5))];
        assert_eq!(turn(&thin, 10), None);
    }
}
