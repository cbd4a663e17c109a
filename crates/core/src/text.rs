//! What counts as text: the characters that may reach storage, reports and terminals.
//!
//! Control characters (NUL, BEL, ESC sequences…) corrupt CSV and HTML reports and rewrite
//! what an operator's terminal shows; Unicode bidirectional overrides and isolates make a
//! string display in another order than it is stored ("Trojan Source"). The rule is:
//! - free text (comments) is kept, with those characters **stripped**: a citizen's comment
//!   is worth keeping even when the form that sent it added a stray control byte; line
//!   feeds and tabs stay, a carriage return goes (CRLF becomes LF);
//! - identifiers (`case_ref`, `stage`, regions, …) are **refused** when they hold one, or
//!   any white space or zero-width character: an identifier is a key, and silently changing
//!   a key would join or split records.

use std::borrow::Cow;

/// Bidirectional formatting characters: the Arabic letter mark, the left-to-right and
/// right-to-left marks, embeddings and overrides (U+202A–U+202E) and isolates
/// (U+2066–U+2069).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Invisible characters that make two identifiers look alike: zero-width space, joiners,
/// word joiner and the byte-order mark.
pub fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Characters stripped from free text: every control character (C0, DEL, C1) except line
/// feed and tab, and every bidirectional formatting character.
pub fn is_stripped_from_free_text(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c)
}

/// Free text with [`is_stripped_from_free_text`] characters removed; borrowed when there
/// was nothing to remove.
pub fn clean_free_text(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_stripped_from_free_text) {
        Cow::Owned(
            text.chars()
                .filter(|&c| !is_stripped_from_free_text(c))
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

/// The first character an identifier may not hold, if any.
pub fn forbidden_in_identifier(identifier: &str) -> Option<char> {
    identifier
        .chars()
        .find(|&c| c.is_whitespace() || c.is_control() || is_bidi_control(c) || is_zero_width(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_overrides_are_stripped_from_free_text() {
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
        ];
        for (input, expected) in cases {
            assert_eq!(clean_free_text(input), expected, "{input:?}");
        }
    }

    #[test]
    fn ordinary_text_in_any_script_is_left_alone() {
        for text in [
            "Très bien, merci ! Délai raisonnable.",
            "שלום עולם and مرحبا: right-to-left letters are text, not controls",
            "emoji 👍🏽 and a zero-width joiner 👩\u{200D}💻 stay in comments",
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
        for id in ["case-1", "C-2026/000123", "dossier_éèà", "ON", "fr-CA"] {
            assert_eq!(forbidden_in_identifier(id), None, "{id:?}");
        }
    }
}
