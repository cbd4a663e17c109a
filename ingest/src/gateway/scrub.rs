//! Removes personal data from free-text comments before they reach Kafka, as Canada.ca's
//! page feedback does: e-mail addresses, phone numbers, postal codes, passport numbers and
//! social insurance numbers become `###`.
//!
//! Patterns err on the side of privacy: an occasional harmless number scrubbed is better
//! than a phone number stored.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// What replaces each piece of personal data.
pub const MASK: &str = "###";

/// Applied in order; earlier patterns take their text before later ones see it.
static PATTERNS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        // e-mail addresses
        r"(?i)[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}",
        // international numbers written with a leading +
        r"\+\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,5}",
        // North American numbers: (613) 555-0199, 613.555.0199, 1-800-555-0199
        r"(?:\b1[\s.-]?)?(?:\(\d{3}\)|\b\d{3})[\s.-]?\d{3}[\s.-]?\d{4}\b",
        // UK domestic numbers: 020 7946 0958, 07700 900123
        r"\b0\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b",
        // payment card numbers (13 to 19 digits)
        r"\b(?:\d[\s-]?){12,18}\d\b",
        // US social security numbers
        r"\b\d{3}-\d{2}-\d{4}\b",
        // Canadian social insurance numbers (and any 9-digit id, e.g. US/UK passports)
        r"\b\d{3}[\s-]?\d{3}[\s-]?\d{3}\b",
        // UK National Insurance numbers
        r"(?i)\b[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b",
        // Canadian postal codes: K1A 0B1
        r"(?i)\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][\s-]?\d[ABCEGHJ-NPRSTV-Z]\d\b",
        // UK postcodes: SW1A 1AA, M1 1AE
        r"(?i)\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b",
        // US ZIP+4
        r"\b\d{5}-\d{4}\b",
        // passport numbers: one or two letters and 6 to 8 digits (Canada: AB123456)
        r"(?i)\b[A-Z]{1,2}\d{6,8}\b",
    ]
    .iter()
    .map(|pattern| Regex::new(pattern).expect("scrub patterns are valid"))
    .collect()
});

/// The comment with every piece of personal data replaced by [`MASK`].
pub fn scrub(comment: &str) -> Cow<'_, str> {
    let mut text = Cow::Borrowed(comment);
    for pattern in PATTERNS.iter() {
        if let Cow::Owned(replaced) = pattern.replace_all(&text, MASK) {
            text = Cow::Owned(replaced);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_data_is_masked() {
        let cases = [
            (
                "write to jane.doe+passport@example.gc.ca please",
                "write to ### please",
            ),
            ("call me at (613) 555-0199 today", "call me at ### today"),
            ("my cell 613.555.0199", "my cell ###"),
            ("toll free 1-800-567-6868.", "toll free ###."),
            (
                "from abroad +44 20 7946 0958 thanks",
                "from abroad ### thanks",
            ),
            ("ring +33 1 23 45 67 89", "ring ###"),
            ("UK mobile 07700 900123", "UK mobile ###"),
            ("my SIN is 046 454 286", "my SIN is ###"),
            ("SIN 046-454-286 twice", "SIN ### twice"),
            ("ssn 123-45-6789", "ssn ###"),
            ("NI number AB 12 34 56 C", "NI number ###"),
            ("I live at K1A 0B1 in Ottawa", "I live at ### in Ottawa"),
            ("postal code m5v3l9", "postal code ###"),
            ("London SW1A 1AA", "London ###"),
            ("ZIP 20500-0001", "ZIP ###"),
            ("passport GA302922 was lost", "passport ### was lost"),
            ("old passport number AB1234567", "old passport number ###"),
            ("card 4111 1111 1111 1111 charged", "card ### charged"),
        ];
        for (input, expected) in cases {
            assert_eq!(scrub(input), expected, "scrubbing {input:?}");
        }
    }

    #[test]
    fn ordinary_feedback_is_left_alone() {
        let cases = [
            "Waited 3 weeks, 2 days longer than promised. Staff at counter 12 were kind.",
            "Applied on 2026-03-10 at 10:30, got it on 2026-03-24.",
            "The fee of $120 was fine; form B-2 was confusing.",
            "Merci! Service rapide à 100 %.",
        ];
        for input in cases {
            assert!(
                matches!(scrub(input), Cow::Borrowed(_)),
                "changed {input:?} to {:?}",
                scrub(input)
            );
        }
    }
}
