//! How well the scrubber does on a labelled table of comments, in the catalog's languages
//! (English and French): personal data that must go, and look-alikes that must stay.
//!
//! A case is *positive* when the scrubber changes its text. Precision is the share of
//! positives that are right (the text is exactly the expected scrubbed text); recall is the
//! share of cases holding personal data whose text came out exactly as expected. The table is
//! `labelled_cases.tsv`: `label` (`pii` or `clean`), `lang`, `kind`, `text`, `expected` (the
//! scrubbed text, for `pii` rows).

use std::fmt;

use super::scrub;

/// The labelled tables, compiled in so that tests and the benchmark read the same cases:
/// contact details and numbers, then names, addresses and dates of birth.
pub const LABELLED_CASES: &str = include_str!("labelled_cases.tsv");
pub const LABELLED_PEOPLE: &str = include_str!("labelled_people.tsv");

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledCase {
    pub has_pii: bool,
    pub lang: String,
    pub kind: String,
    pub text: String,
    /// What the scrubbed text must be (the text itself for a look-alike).
    pub expected: String,
}

/// The rows of [`LABELLED_CASES`] and [`LABELLED_PEOPLE`]; panics on a malformed row,
/// which is a bug in a table.
pub fn labelled_cases() -> Vec<LabelledCase> {
    LABELLED_CASES
        .lines()
        .skip(1)
        .chain(LABELLED_PEOPLE.lines().skip(1))
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            let columns: Vec<&str> = line.split('\t').collect();
            let [label, lang, kind, text, rest @ ..] = columns.as_slice() else {
                panic!("labelled case with fewer than 4 columns: {line:?}");
            };
            let has_pii = match *label {
                "pii" => true,
                "clean" => false,
                other => panic!("label {other:?} is neither pii nor clean: {line:?}"),
            };
            let expected = match (has_pii, rest.first()) {
                (true, Some(expected)) => expected.to_string(),
                (true, None) => panic!("a pii case needs its scrubbed text: {line:?}"),
                (false, _) => text.to_string(),
            };
            LabelledCase {
                has_pii,
                lang: lang.to_string(),
                kind: kind.to_string(),
                text: text.to_string(),
                expected,
            }
        })
        .collect()
}

/// The scrubber's figures on the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub cases: usize,
    pub with_pii: usize,
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    /// One line per case the scrubber got wrong.
    pub mistakes: Vec<String>,
    /// The same counts for each kind of the table (`email`, `name`, `address`…).
    pub by_kind: std::collections::BTreeMap<String, Counts>,
}

/// Positives and misses of one kind: a case counts under the kind of its row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub cases: usize,
    pub with_pii: usize,
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    pub fn recall(&self) -> f64 {
        ratio(self.true_positives, self.with_pii)
    }
}

impl Evaluation {
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    pub fn recall(&self) -> f64 {
        ratio(self.true_positives, self.with_pii)
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

impl fmt::Display for Evaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PII scrubber on {} labelled cases ({} with personal data): precision {:.3}, recall {:.3} ({} false positives, {} false negatives)",
            self.cases,
            self.with_pii,
            self.precision(),
            self.recall(),
            self.false_positives,
            self.false_negatives
        )?;
        for (kind, counts) in &self.by_kind {
            write!(
                f,
                "\n  {kind:<14} {:>4} cases ({:>3} with personal data): precision {:.3}, recall {:.3}",
                counts.cases,
                counts.with_pii,
                counts.precision(),
                counts.recall()
            )?;
        }
        Ok(())
    }
}

/// Scrubs every labelled case and counts what came out right.
pub fn evaluate() -> Evaluation {
    let cases = labelled_cases();
    let mut evaluation = Evaluation {
        cases: cases.len(),
        with_pii: cases.iter().filter(|c| c.has_pii).count(),
        true_positives: 0,
        false_positives: 0,
        false_negatives: 0,
        mistakes: Vec::new(),
        by_kind: Default::default(),
    };
    for case in &cases {
        let scrubbed = scrub(&case.text);
        let changed = scrubbed != case.text;
        let right = scrubbed == case.expected;
        let (tp, fp, fneg) = match (case.has_pii, changed, right) {
            (true, _, true) => (1, 0, 0),
            (true, true, false) => (0, 1, 1),
            (true, false, false) => (0, 0, 1),
            (false, true, _) => (0, 1, 0),
            (false, false, _) => (0, 0, 0),
        };
        evaluation.true_positives += tp;
        evaluation.false_positives += fp;
        evaluation.false_negatives += fneg;
        let kind = evaluation.by_kind.entry(case.kind.clone()).or_default();
        kind.cases += 1;
        kind.with_pii += usize::from(case.has_pii);
        kind.true_positives += tp;
        kind.false_positives += fp;
        kind.false_negatives += fneg;
        if !right {
            evaluation.mistakes.push(format!(
                "{} {} {}: {:?} became {:?}, expected {:?}",
                if case.has_pii { "pii" } else { "clean" },
                case.lang,
                case.kind,
                case.text,
                scrubbed,
                case.expected
            ));
        }
    }
    evaluation
}
