//! Street addresses and dates of birth in comments, English and French forms.
//!
//! An address is a house number, a street name and a street type ("24 Sussex Drive",
//! "1200, rue Sainte-Catherine Ouest", "45 boul. René-Lévesque Est"), with an apartment,
//! unit or suite before or after it ("apt 4B, 310 Elgin St"); a street named without a
//! number ("near Sussex Drive") locates no one and stays, as does the city after it. A date
//! is a date of birth only when the text says so ("born", "DOB", "né le", "date de
//! naissance"): people write about their appointments' dates, which stay.

use std::sync::LazyLock;

use regex::Regex;

/// What replaces an address.
pub const ADDRESS_MASK: &str = "[address]";
/// What replaces a date of birth (the cue before it stays).
pub const BIRTH_DATE_MASK: &str = "[date of birth]";

/// A unit within a building, beside a street address: apt 4B, unit 5, suite 300, #12.
const UNIT: &str = r"(?:(?-u:\b)(?i:apt|apartment|unit|unité|suite|app|appt|appartement|logement|bureau)\.?\s*#?\s*\d+[A-Za-z]?|#\d+[A-Za-z]?)";
/// A home on its own: apt 4B, appartement 12 ("suite 300" or "bureau 12" alone is as likely
/// an office of the service, and "#3" a counter).
const HOME: &str =
    r"(?i:apt|apartment|app\.|appt|appartement|logement|unit|unité)\.?\s*#?\s*\d+[A-Za-z]?";
/// English: number, capitalised street name words, street type, optional direction.
const STREET_EN: &str = r"\d{1,6}[A-Za-z]?(?:-\d{1,6})?,?\s+(?:(?:North|South|East|West|[NSEW])\.?\s+)?(?:(?:(?:\p{Lu}[\p{L}'’.\-]*|\d+(?:st|nd|rd|th))\s+){1,4}(?i:Street|St|Avenue|Ave|Road|Rd|Drive|Dr|Boulevard|Blvd|Lane|Ln|Court|Ct|Crescent|Cres|Way|Place|Pl|Terrace|Terr|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Trail|Square|Sq|Row|Gate|Close|Grove)|\p{Ll}[\p{Ll}'’\-]+\s+(?:street|st|avenue|ave|road|rd|drive|dr|boulevard|blvd))(?-u:\b)\.?(?:\s+(?:North|South|East|West|NE|NW|SE|SW|N|S|E|W)(?-u:\b))?";
/// Lower-case street names are taken only before the common types ("12 maple ave"), so
/// that "24 hours on the road" stays.
/// French: number, street type, particles, capitalised name words, optional direction.
const STREET_FR: &str = r"\d{1,6}[A-Za-z]?(?:-\d{1,6})?(?:\s+(?i:bis|ter))?,?\s+(?i:rue|avenue|av\.|boulevard|boul\.|bd|chemin|ch\.|route|rang|place|impasse|allée|allee|montée|montee|côte|cote|croissant|promenade|ruelle|quai|cours|square)\s+(?:(?i:de la|de l['’]|des|du|de|la|le|l['’]|d['’])\s*)?(?:\p{Lu}[\p{L}\d'’.\-]*|[\p{Ll}\d][\p{L}\d'’.\-]+)(?:\s+(?:\p{Lu}[\p{L}'’.\-]*|(?i:de|du|des|la|le)))*?(?:\s+(?:Ouest|Est|Nord|Sud|O|E|N|S))?(?-u:\b)";

static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    let street = format!("(?:{STREET_EN}|{STREET_FR})");
    Regex::new(&format!(
        r"(?:{UNIT}(?:,\s*|\s+|\s*-\s*))?(?-u:\b){street}(?:(?:,\s*|\s+){UNIT})?|(?-u:\b){HOME}(?-u:\b)"
    ))
    .expect("valid")
});

const MONTHS: &str = "january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre";

/// A date written in the ways people write one.
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?-u:\b)(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}[/.\-]\d{{1,2}}[/.\-]\d{{2,4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+of\s+(?:{MONTHS})\.?,?\s+\d{{4}}|(?:\d{{1,2}}(?:er|st|nd|rd|th)?\s+)?(?:{MONTHS})\.?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?,?\s+\d{{4}})(?-u:\b)"
    ))
    .expect("valid")
});

/// Words saying a date of birth follows in the same clause.
static BIRTH_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:born|birth\s*date|birthdate|birthday|date\s+of\s+birth|d\.?o\.?b(?-u:\b)\.?|ddn|née?s?|nee|date\s+de\s+naissance)(?:\W|$)")
        .expect("valid")
});

/// Words between two dates that make the second a correction of the first, so a date of
/// birth as well.
const CORRECTION: [&str; 8] = [
    "not", "pas", " or ", " ou ", "instead", "au lieu", "rather", "plutôt",
];

/// Where the clause a cue opens ends: a sentence's end, or a conjunction opening another
/// clause ("born 2019-05-04 and his appointment is on 2026-05-04").
static CLAUSE_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[!?;]|\.(?:\s|$)|\s(?:and|but|while|whereas|et|mais|alors que)\s")
        .expect("valid")
});

/// The text with every address replaced by [`ADDRESS_MASK`]; an address with its unit
/// given apart ("apt 4B, 310 Elgin St") is one.
pub fn mask_addresses(text: &str) -> std::borrow::Cow<'_, str> {
    let masked = ADDRESS.replace_all(text, ADDRESS_MASK);
    if !masked.contains(ADDRESS_MASK) {
        return masked;
    }
    let mut out = masked.into_owned();
    for joint in [", ", " - ", " "] {
        let twice = format!("{ADDRESS_MASK}{joint}{ADDRESS_MASK}");
        while out.contains(&twice) {
            out = out.replace(&twice, ADDRESS_MASK);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The text with every date said to be a date of birth replaced by [`BIRTH_DATE_MASK`]:
/// the dates in the clause after a cue ("born", "DOB", "date of birth", "né le", "date de
/// naissance", "DDN"); other dates stay.
pub fn mask_birth_dates(text: &str) -> std::borrow::Cow<'_, str> {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for cue in BIRTH_CUE.find_iter(text) {
        let rest = &text[cue.end()..];
        let clause = CLAUSE_END.find(rest).map_or(rest.len(), |end| end.start());
        // A date starting in the clause (its own "Sept." may end the clause's first
        // sentence); after the first, only one that corrects it ("…, not 1962-01-03").
        let mut previous: Option<usize> = None;
        for date in DATE.find_iter(rest).take_while(|d| d.start() <= clause) {
            if let Some(end) = previous {
                let gap = rest[end..date.start()].to_lowercase();
                if !CORRECTION.iter().any(|w| gap.contains(w)) {
                    break;
                }
            }
            previous = Some(date.end());
            let span = (cue.end() + date.start(), cue.end() + date.end());
            if !spans.contains(&span) {
                spans.push(span);
            }
        }
    }
    if spans.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    spans.sort_unstable();
    let mut out = text.to_string();
    for (start, end) in spans.into_iter().rev() {
        out.replace_range(start..end, BIRTH_DATE_MASK);
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_birth_dates_go_and_the_rest_stays() {
        assert_eq!(
            mask_addresses("I live at 24 Sussex Drive, Ottawa"),
            "I live at [address], Ottawa"
        );
        assert_eq!(
            mask_addresses("1200, rue Sainte-Catherine Ouest"),
            "[address]"
        );
        assert_eq!(mask_addresses("apt 4B, 310 Elgin St"), "[address]");
        assert_eq!(
            mask_addresses("waited 24 hours near Sussex Drive at counter 3"),
            "waited 24 hours near Sussex Drive at counter 3"
        );
        assert_eq!(
            mask_birth_dates("Born 1984-03-12."),
            "Born [date of birth]."
        );
        assert_eq!(
            mask_birth_dates("je suis née le 1er mars 1962"),
            "je suis née le [date of birth]"
        );
        assert_eq!(
            mask_birth_dates("my appointment on 2026-03-12"),
            "my appointment on 2026-03-12"
        );
    }
}
