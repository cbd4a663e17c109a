//! The small-cell rule every published figure follows: a figure resting on fewer than k
//! observations (`[matrix] min_responses`) is withheld, only its count is shown. The matrix,
//! the service-standard rows, the charts, the reports and the open data all ask here, so a
//! figure withheld in one output is withheld in every other.

/// Whether a figure on `n` observations is withheld under a threshold of `min_n` (at least
/// one observation is always needed: a figure of nothing is no figure).
pub fn withholds(n: u64, min_n: u64) -> bool {
    n < min_n.max(1)
}

/// Why a figure is withheld, in the words the notes of the open data use.
pub fn note(n: u64, what: &str, min_n: u64) -> String {
    format!("too few {what} to show: {n} (at least {min_n} needed)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_needs_k_observations_and_never_fewer_than_one() {
        assert!(withholds(9, 10));
        assert!(!withholds(10, 10));
        assert!(withholds(0, 0));
        assert!(!withholds(1, 0));
    }
}
