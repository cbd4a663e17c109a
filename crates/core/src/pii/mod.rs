//! Personal data in what citizens and case systems send.
//!
//! Free-text comments are scrubbed before they reach Kafka, as Canada.ca's page feedback
//! does: e-mail addresses (any script), phone numbers (North American, French, UK,
//! international; any spacing), postal codes (Canada, UK, US ZIP+4), passport numbers,
//! social insurance / security / National Insurance numbers, provincial health card and
//! driver's licence numbers, and payment cards become `###`.
//!
//! Identifiers are keys, so they are never rewritten: one that holds contact details (an
//! e-mail address or a phone number) is refused by validation ([`contact_in_identifier`]).
//!
//! The patterns err on the side of privacy, yet ordinary text must survive: the labelled
//! table in `labelled_cases.tsv` (English and French, personal data and look-alikes) is the
//! measure, see [`evaluation`].

pub mod evaluation;

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Captures, Regex};

/// What replaces each piece of personal data.
pub const MASK: &str = "###";

/// Separators people put between digit groups: spaces (any number, including no-break
/// ones), dots, hyphens and dashes.
const SEP: &str = r"[\s.\-\u{2010}-\u{2015}]{0,3}";

/// One kind of personal data and how it is found.
struct Pattern {
    regex: Regex,
    /// Whether a match really is this kind of data (a checksum, or a look-alike to spare).
    confirm: fn(&Captures) -> bool,
    /// The capture group holding the data; the rest of the match (a label such as
    /// "licence no.") is kept.
    group: usize,
}

fn always(_: &Captures) -> bool {
    true
}

/// A pattern's regex, with `{SEP}` standing for [`SEP`].
fn compile(source: &str) -> Regex {
    Regex::new(&source.replace("{SEP}", SEP)).expect("the PII patterns are valid")
}

fn pattern(source: &str) -> Pattern {
    Pattern {
        regex: compile(source),
        confirm: always,
        group: 0,
    }
}

/// An e-mail address, with letters and digits of any script on both sides of the `@`.
const EMAIL: &str = r"[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)*\.\p{L}{2,}";
/// An address written out to dodge filters: `jane [at] example [dot] com`, `(arobase)`.
const EMAIL_SPELLED: &str = r"(?i)[\p{L}\p{N}._%+\-]+\s*[\[(]\s*(?:at|arobase|@)\s*[\])]\s*[\p{L}\p{N}\-]+(?:\s*[\[(]\s*(?:dot|point)\s*[\])]\s*[\p{L}\p{N}\-]+)+";
/// A number with a leading `+` and a country code.
const PHONE_INTERNATIONAL: &str = r"\+\d{1,3}(?:{SEP}\(?\d{1,4}\)?){2,5}";
/// North American: (613) 555-0199, 613 555 0199, 1-800-555-0199, 613.555.0199.
const PHONE_NORTH_AMERICAN: &str =
    r"(?:\b1{SEP})?(?:\(\s*\d{3}\s*\)|\b\d{3}){SEP}\d{3}{SEP}\d{4}\b";
/// French style in pairs: 06 12 34 56 78, 01.23.45.67.89.
const PHONE_IN_PAIRS: &str = r"\b0\d(?:[\s.\-]{1,3}\d{2}){4}\b";
/// Read out one digit at a time: 6 1 3 5 5 5 0 1 9 9.
const PHONE_DIGIT_BY_DIGIT: &str = r"\b(?:\d[\s.\-]{1,3}){9}\d\b";
/// UK domestic: 020 7946 0958, 07700 900123.
const PHONE_UK: &str = r"\b0\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b";
/// A number right after a word that says what it is (licence, carte santé, NAS…): the
/// label stays, the number goes, whatever its format.
const LABELLED_NUMBER: &str = r"(?i)(\b(?:driver'?s\s+licen[cs]e|licen[cs]e|permis(?:\s+de\s+conduire)?|health\s+card|carte\s+(?:santé|soleil|d'assurance\s+maladie)|assurance\s+maladie|ohip|ramq|phn|sin|nas|ssn|passport|passeport)(?:\s|[:#.]|no\b|number\b|numéro\b|num\b|n°|is\b|est\b|de\b|du\b|mon\b|my\b){1,6})((?:[A-Z]{1,4}[\s-]?)?\d(?:[\s-]?\d){4,14}(?:[\s-]?(?-i:[A-Z]{1,2}))?\b)";
/// Ontario driver's licence: A1234-56789-01234.
const LICENCE_ONTARIO: &str = r"(?i)\b[A-Z]\d{4}[\s-]?\d{5}[\s-]?\d{5}\b";
/// Quebec driver's licence: T1234-567890-12.
const LICENCE_QUEBEC: &str = r"(?i)\b[A-Z]\d{4}[\s-]?\d{6}[\s-]?\d{2}\b";
/// Quebec health insurance (RAMQ): four capitals (from the holder's names) and eight
/// digits, TREJ 8501 1234; lower-case words before a number ("case 2026-0042") are spared.
const HEALTH_CARD_QUEBEC: &str = r"\b[A-Z]{4}[\s-]?\d{4}[\s-]?\d{4}\b";
/// Ontario (and BC, 9…) health card: 1234-567-890, with the Ontario version code.
const HEALTH_CARD_TEN_DIGITS: &str = r"(?i)\b\d{4}[\s-]?\d{3}[\s-]?\d{3}(?:[\s-]?[A-Z]{2})?\b";
/// Payment cards: 13 to 19 digits that pass the Luhn check.
const CARD: &str = r"\b(?:\d[\s-]?){12,18}\d\b";
/// US social security numbers.
const SSN: &str = r"\b\d{3}-\d{2}-\d{4}\b";
/// Canadian social insurance numbers (and any 9-digit id, e.g. US/UK passports).
const NINE_DIGITS: &str = r"\b\d{3}[\s-]?\d{3}[\s-]?\d{3}\b";
/// UK National Insurance numbers.
const NATIONAL_INSURANCE: &str = r"(?i)\b[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b";
/// Canadian postal codes: K1A 0B1.
const POSTAL_CANADA: &str =
    r"(?i)\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][\s-]?\d[ABCEGHJ-NPRSTV-Z]\d\b";
/// UK postcodes: SW1A 1AA, M1 1AE (the first letters of real postcode areas only).
const POSTAL_UK: &str = r"(?i)\b[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?(\d[A-Z]{2})\b";
/// US ZIP+4.
const ZIP_PLUS_FOUR: &str = r"\b\d{5}-\d{4}\b";
/// Passport numbers: one or two letters and 6 to 8 digits (Canada: AB123456).
const PASSPORT: &str = r"(?i)\b[A-Z]{1,2}\d{6,8}\b";

/// Applied in order; earlier patterns take their text before later ones see it.
static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    let mut labelled = pattern(LABELLED_NUMBER);
    labelled.group = 2;
    let mut card = pattern(CARD);
    card.confirm = passes_luhn;
    let mut postal_uk = pattern(POSTAL_UK);
    postal_uk.confirm = not_an_ordinal;
    vec![
        pattern(EMAIL),
        pattern(EMAIL_SPELLED),
        labelled,
        pattern(LICENCE_ONTARIO),
        pattern(LICENCE_QUEBEC),
        card,
        pattern(HEALTH_CARD_QUEBEC),
        pattern(PHONE_INTERNATIONAL),
        pattern(PHONE_NORTH_AMERICAN),
        pattern(HEALTH_CARD_TEN_DIGITS),
        pattern(PHONE_IN_PAIRS),
        pattern(PHONE_DIGIT_BY_DIGIT),
        pattern(PHONE_UK),
        pattern(SSN),
        pattern(NINE_DIGITS),
        pattern(NATIONAL_INSURANCE),
        pattern(POSTAL_CANADA),
        postal_uk,
        pattern(ZIP_PLUS_FOUR),
        pattern(PASSPORT),
    ]
});

/// Contact details, which an identifier must never carry.
static CONTACT_PATTERNS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("an e-mail address", EMAIL),
        ("a phone number", PHONE_INTERNATIONAL),
        ("a phone number", PHONE_NORTH_AMERICAN_FORMATTED),
    ]
    .into_iter()
    .map(|(what, source)| (what, compile(source)))
    .collect()
});

/// A North American number written as one, with separators or parentheses: a bare run of
/// ten digits in an identifier is taken for a case number, which case systems use.
const PHONE_NORTH_AMERICAN_FORMATTED: &str =
    r"(?:\b1[\s.\-]+)?(?:\(\d{3}\)\s*|\b\d{3}[\s.\-])\d{3}[\s.\-]\d{4}\b";

/// The comment with every piece of personal data replaced by [`MASK`].
pub fn scrub(comment: &str) -> Cow<'_, str> {
    let mut text = Cow::Borrowed(comment);
    for pattern in PATTERNS.iter() {
        let replaced = pattern.regex.replace_all(&text, |captures: &Captures| {
            let whole = captures.get(0).expect("a match has group 0");
            if !(pattern.confirm)(captures) {
                return whole.as_str().to_string();
            }
            let data = captures.get(pattern.group).expect("the data group matched");
            let kept_before = &whole.as_str()[..data.start() - whole.start()];
            format!("{kept_before}{MASK}")
        });
        if replaced != text.as_ref() {
            text = Cow::Owned(replaced.into_owned());
        }
    }
    text
}

/// What kind of contact detail `identifier` holds, if any.
pub fn contact_in_identifier(identifier: &str) -> Option<&'static str> {
    CONTACT_PATTERNS
        .iter()
        .find(|(_, regex)| regex.is_match(identifier))
        .map(|(what, _)| *what)
}

fn passes_luhn(captures: &Captures) -> bool {
    let digits: Vec<u8> = captures[0].bytes().filter(u8::is_ascii_digit).collect();
    luhn3::valid(&digits)
}

/// "Q3 2nd week", "room B2 3rd floor": an inward code that is an English ordinal.
fn not_an_ordinal(captures: &Captures) -> bool {
    let inward = captures[1].to_ascii_lowercase();
    !matches!(&inward[1..], "st" | "nd" | "rd" | "th")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_labelled_table_is_scrubbed_without_a_miss_or_a_false_alarm() {
        let evaluation = evaluation::evaluate();
        println!("{evaluation}");
        assert!(evaluation.cases >= 150, "{} cases", evaluation.cases);
        assert!(
            evaluation.mistakes.is_empty(),
            "{evaluation}\n{}",
            evaluation.mistakes.join("\n")
        );
    }

    #[test]
    fn unchanged_text_is_borrowed() {
        assert!(matches!(scrub("Merci, très rapide."), Cow::Borrowed(_)));
    }

    #[test]
    fn identifiers_with_contact_details_are_named() {
        let cases = [
            ("jane.doe@example.ca", Some("an e-mail address")),
            ("case-josé@exemple.québec", Some("an e-mail address")),
            ("613-555-0199", Some("a phone number")),
            ("(613)555-0199", Some("a phone number")),
            ("+1-613-555-0199", Some("a phone number")),
            ("case-613.555.0199", Some("a phone number")),
            ("case-123", None),
            ("6135550199", None),
            ("PP-2026-000123", None),
            ("case-3f2a9c0d8e7b4a1f9c2d3e4f5a6b7c8d", None),
            ("ON", None),
            ("application", None),
        ];
        for (identifier, expected) in cases {
            assert_eq!(contact_in_identifier(identifier), expected, "{identifier}");
        }
    }
}
