//! What counts as text: the characters that may reach storage, reports and terminals.
//!
//! Control characters (NUL, BEL, ESC sequences…) corrupt CSV and HTML reports and rewrite
//! what an operator's terminal shows; Unicode bidirectional overrides and isolates make a
//! string display in another order than it is stored ("Trojan Source"); invisible
//! characters (soft hyphen, word joiner, Hangul filler, …) make two strings look alike and
//! split a phone number so the scrubber no longer sees it. Invisible means what Unicode
//! says: every Default_Ignorable_Code_Point and every General_Category=Format (Cf) code
//! point, read from the Unicode Character Database through `icu_properties`, which covers
//! the bidirectional controls and the zero-width characters. The rule is:
//! - free text (comments) is kept, with those characters **stripped**: a citizen's comment
//!   is worth keeping even when the form that sent it added a stray control byte; line
//!   feeds and tabs stay, a carriage return goes (CRLF becomes LF). Comments keep emoji, so
//!   the invisible parts of an emoji sequence (zero-width joiner, VS16, tag characters:
//!   Emoji_Component) stay inside an emoji's grapheme cluster, and only there;
//! - identifiers (`case_ref`, `stage`, regions, …) are **refused** when they hold one, or
//!   any white space: an identifier is a key, and silently changing a key would join or
//!   split records.

use std::borrow::Cow;

use icu_properties::props::{
    DefaultIgnorableCodePoint, EmojiComponent, ExtendedPictographic, GeneralCategory,
};
use icu_properties::{CodePointMapData, CodePointSetData};
use unicode_segmentation::UnicodeSegmentation;

/// Invisible characters: Default_Ignorable_Code_Point or General_Category=Format (Cf).
pub fn is_invisible(c: char) -> bool {
    CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
        || CodePointMapData::<GeneralCategory>::new().get(c) == GeneralCategory::Format
}

/// Characters stripped from free text wherever they are: every control character (C0,
/// DEL, C1) except line feed and tab, and every invisible character outside an emoji
/// sequence.
pub fn is_stripped_from_free_text(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_invisible(c)
}

/// An invisible character that belongs to an emoji sequence when it sits in an emoji's
/// grapheme cluster: the zero-width joiner of 👩‍💻, the VS16 of ❤️, a flag's tag characters.
fn is_kept_in_emoji(c: char) -> bool {
    !c.is_control() && CodePointSetData::new::<EmojiComponent>().contains(c)
}

/// Free text with [`is_stripped_from_free_text`] characters removed, except the invisible
/// parts of emoji sequences; borrowed when there was nothing to remove.
pub fn clean_free_text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_stripped_from_free_text) {
        return Cow::Borrowed(text);
    }
    let pictographic = CodePointSetData::new::<ExtendedPictographic>();
    let mut cleaned = String::with_capacity(text.len());
    for grapheme in text.graphemes(true) {
        let emoji = grapheme.chars().any(|c| pictographic.contains(c));
        cleaned.extend(
            grapheme
                .chars()
                .filter(|&c| !is_stripped_from_free_text(c) || (emoji && is_kept_in_emoji(c))),
        );
    }
    if cleaned == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(cleaned)
    }
}

/// The first character an identifier may not hold, if any.
pub fn forbidden_in_identifier(identifier: &str) -> Option<char> {
    identifier
        .chars()
        .find(|&c| c.is_whitespace() || c.is_control() || is_invisible(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The examples and one of each kind the property brings in beyond the old
    /// hand list: soft hyphen, combining grapheme joiner, Mongolian vowel separator,
    /// function application, Hangul filler, Arabic letter mark, a variation selector, a
    /// tag character, the interlinear annotation anchor and the Hangul choseong filler.
    const INVISIBLE: [char; 14] = [
        '\u{00AD}',
        '\u{034F}',
        '\u{180E}',
        '\u{2061}',
        '\u{3164}',
        '\u{061C}',
        '\u{FE00}',
        '\u{E0041}',
        '\u{FFF9}',
        '\u{115F}',
        '\u{200B}',
        '\u{2060}',
        '\u{FEFF}',
        '\u{202E}',
    ];

    #[test]
    fn controls_bidi_overrides_and_invisible_characters_are_stripped_from_free_text() {
        let cases = [
            ("nul\u{0}byte", "nulbyte"),
            (
                "bell\u{7} and \u{1b}[31mred\u{1b}[0m",
                "bell and [31mred[0m",
            ),
            ("line one\r\nline two", "line one\nline two"),
            ("tab\tstays", "tab\tstays"),
            ("del\u{7f} c1\u{85}\u{9b}", "del c1"),
            ("evil \u{202E}gnp.exe", "evil gnp.exe"),
            (
                "\u{2066}isolated\u{2069} \u{202A}\u{202B}\u{202C}\u{202D}",
                "isolated ",
            ),
            ("marks \u{200E}\u{200F}\u{061C}", "marks "),
            // Rejoined, so that the scrubber sees the phone number.
            ("call 613\u{2061}555\u{00AD}01\u{034F}99", "call 6135550199"),
            (
                "soft\u{00AD}hyphen hangul\u{3164}filler",
                "softhyphen hangulfiller",
            ),
            (
                "a\u{200D}b joiner between letters",
                "ab joiner between letters",
            ),
            ("digit 6\u{FE0F}13", "digit 613"),
            (
                "stray \u{FE0F}\u{200D} after a space",
                "stray  after a space",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(clean_free_text(input), expected, "{input:?}");
        }
        for c in INVISIBLE {
            assert_eq!(
                clean_free_text(&format!("a{c}b")),
                "ab",
                "U+{:04X}",
                u32::from(c)
            );
        }
    }

    #[test]
    fn ordinary_text_and_emoji_sequences_are_left_alone() {
        for text in [
            "Très bien, merci ! Délai raisonnable.",
            "שלום עולם and مرحبا: right-to-left letters are text, not controls",
            "emoji 👍🏽 and a zero-width joiner 👩\u{200D}💻 stay in comments",
            "a heart with VS16 ❤\u{FE0F}, a family 👨\u{200D}👩\u{200D}👧, a rainbow flag 🏳\u{FE0F}\u{200D}🌈",
            "Scotland's flag 🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}",
            "two\nlines",
        ] {
            assert!(
                matches!(clean_free_text(text), Cow::Borrowed(_)),
                "{text:?}"
            );
        }
    }

    #[test]
    fn identifiers_refuse_invisible_and_control_characters() {
        for id in [
            "case\u{0}1",
            "case\u{1b}1",
            "case\u{202E}1",
            "case\u{2067}1",
            "case\u{200B}1",
            "case\u{FEFF}1",
            "case 1",
            "case\u{a0}1",
        ] {
            assert!(forbidden_in_identifier(id).is_some(), "{id:?}");
        }
        for c in INVISIBLE {
            let id = format!("case{c}1");
            assert_eq!(forbidden_in_identifier(&id), Some(c), "{id:?}");
        }
        for id in [
            "case-1",
            "C-2026/000123",
            "dossier_éèà",
            "ON",
            "fr-CA",
            "ᄀ한글",
        ] {
            assert_eq!(forbidden_in_identifier(id), None, "{id:?}");
        }
    }
}
