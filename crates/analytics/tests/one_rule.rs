//! Rules that drifted when they were written in several places now have one home each; a
//! search of every crate's sources keeps it so (cheap, and it names the file that strays):
//!
//! - the reporting time zone: `Catalog::reporting_zone` (crates/core/src/catalog.rs);
//! - period labels: `civicpulse_analytics::period` (crates/analytics/src/period.rs);
//! - fiscal-year arithmetic: `civicpulse_core::fiscal_year` (crates/core/src/fiscal_year.rs);
//! - the exceptions in force: `civicpulse_core::exception::effective` (crates/core/src/exception.rs);
//! - how a retry waits: `civicpulse_core::backoff` (crates/core/src/backoff.rs);
//! - which figures are too small to publish: `civicpulse_analytics::suppression`;
//! - who is satisfied (4–5) and who dissatisfied (1–2, or "not helpful"):
//!   `civicpulse_core::dimension` (crates/core/src/dimension.rs).
//!
//! Tests and benchmarks under `tests/` and `bench/` are left out: they may spell a period
//! or a zone out as a user would.

use std::fs;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the analytics crate sits in the workspace's crates/")
        .to_path_buf()
}

/// Every crate's `src/` Rust files (and the binary's), with their text without whitespace,
/// so that a rule split over lines by rustfmt is still found.
fn sources() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, into: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, into);
            } else if path.extension().is_some_and(|e| e == "rs") {
                into.push(path);
            }
        }
    }
    let root = workspace();
    let mut paths = Vec::new();
    walk(&root.join("src"), &mut paths);
    for entry in fs::read_dir(root.join("crates")).unwrap() {
        let src = entry.unwrap().path().join("src");
        if src.is_dir() {
            walk(&src, &mut paths);
        }
    }
    paths
        .into_iter()
        .map(|path| {
            let text: String = fs::read_to_string(&path)
                .unwrap()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            (path.strip_prefix(&root).unwrap().to_path_buf(), text)
        })
        .collect()
}

/// The files, other than `home`, whose text holds any of `patterns`.
fn strays(home: &str, patterns: &[&str]) -> Vec<String> {
    let sources = sources();
    assert!(
        sources.iter().any(|(path, _)| path == Path::new(home)),
        "{home} is the rule's home"
    );
    sources
        .into_iter()
        .filter(|(path, text)| path != Path::new(home) && patterns.iter().any(|p| text.contains(p)))
        .map(|(path, _)| path.display().to_string())
        .collect()
}

#[test]
fn the_reporting_time_zone_is_chosen_in_one_place() {
    let strays = strays(
        "crates/core/src/catalog.rs",
        &[
            "services.first().map_or(chrono_tz::UTC",
            "services.first().map(|s|s.time_zone)",
            "first.time_zone",
            "reporting_time_zone",
        ],
    );
    assert!(
        strays.is_empty(),
        "use Catalog::reporting_zone instead: {strays:?}"
    );
}

#[test]
fn period_labels_are_read_in_one_place() {
    let strays = strays(
        "crates/analytics/src/period.rs",
        &[
            "strip_prefix('Q')",
            "strip_prefix(\"Q\")",
            "split_once(\"-Q\")",
            "strip_prefix(\"FY\")",
            "split_once(\"..\")",
        ],
    );
    assert!(
        strays.is_empty(),
        "read periods with civicpulse_analytics::period: {strays:?}"
    );
}

#[test]
fn fiscal_years_are_computed_in_one_place() {
    let strays = strays(
        "crates/core/src/fiscal_year.rs",
        &[
            "day.month()>=self.fiscal",
            "(quarter-1)*3+10",
            "from_ymd_opt(first,4,1)",
        ],
    );
    assert!(
        strays.is_empty(),
        "use civicpulse_core::fiscal_year: {strays:?}"
    );
}

#[test]
fn the_exceptions_in_force_are_decided_in_one_place() {
    // The latest change of an id by sequence, and the catalog's overridden by the API's.
    let strays = strays(
        "crates/core/src/exception.rs",
        &[
            "kept.seq>=",
            "!declared.iter().any(",
            "!latest.contains_key(",
        ],
    );
    assert!(
        strays.is_empty(),
        "use civicpulse_core::exception::effective: {strays:?}"
    );
}

#[test]
fn retries_wait_by_one_policy() {
    let strays = strays(
        "crates/core/src/backoff.rs",
        &[
            "*2).min(",
            "wait*=2",
            "saturating_mul(2)",
            "ExponentialBuilder::new(",
        ],
    );
    assert!(
        strays.is_empty(),
        "use civicpulse_core::backoff: {strays:?}"
    );
}

#[test]
fn small_cells_are_withheld_by_one_rule() {
    let strays = strays(
        "crates/analytics/src/suppression.rs",
        &[
            "<min_n.max(1)",
            ">=min_n.max(1)",
            "<min_responses",
            ">=min_responses",
        ],
    );
    assert!(
        strays.is_empty(),
        "use civicpulse_analytics::suppression::withholds: {strays:?}"
    );
}

#[test]
fn satisfaction_and_dissatisfaction_are_read_by_one_rule() {
    // The top-2 threshold and "1–2 or not helpful": the matrix's shares and the drivers of
    // dissatisfaction read respondents the same way.
    let strays = strays(
        "crates/core/src/dimension.rs",
        &[
            "answer>=4",
            "0)>=4",
            "answer<=2",
            "satisfaction<=2",
            "0)<=2",
            "helpful==Some(false)",
            "helpful=0",
        ],
    );
    assert!(
        strays.is_empty(),
        "use civicpulse_core::dimension::{{TOP2_FROM, dissatisfied}}: {strays:?}"
    );
}
