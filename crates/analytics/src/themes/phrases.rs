//! The phrases of a comment that emerging issues count besides themes, so that something no
//! theme names yet ("site en panne", "can't log in") can still stand out on the day it
//! appears. A phrase is two content words in a row, read through the text pipeline
//! (folded and stemmed, so "can't log in" and "cannot log in" are one phrase), with the
//! function words between or around them left out and never across punctuation. Each is
//! kept as its stems (what is counted) and as written (what a person reads).
//!
//! Bigrams rather than longer n-grams: a longer phrase is rarer, so it reaches the
//! minimum count later, and its stems are already two of its words.

use std::collections::HashSet;

use super::text::{fold, Analysed, Language, Token, NEGATION};

/// One phrase of a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    /// The two words' stems, space-separated; a negation cue is [`NEGATION`].
    pub key: String,
    /// The text from the first word to the second as written, lower-cased, spaces collapsed.
    pub text: String,
}

/// The distinct phrases of `comment` (read from `text`), in the order they first appear.
pub fn phrases(text: &str, comment: &Analysed) -> Vec<Phrase> {
    let words: Vec<&Token> = comment
        .tokens
        .iter()
        .filter(|t| is_content(text, t, comment.language))
        .collect();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for pair in words.windows(2) {
        let (first, second) = (pair[0], pair[1]);
        let between = &text[first.end..second.start];
        if between.chars().any(ends_a_phrase) || first.stem == second.stem {
            continue;
        }
        let key = format!("{} {}", first.stem, second.stem);
        if seen.insert(key.clone()) {
            let written = text[first.start..second.end]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            out.push(Phrase { key, text: written });
        }
    }
    out
}

/// Punctuation that ends a clause: a phrase never spans it.
fn ends_a_phrase(c: char) -> bool {
    matches!(
        c,
        '.' | ',' | ';' | ':' | '!' | '?' | '(' | ')' | '\n' | '"' | '«' | '»'
    )
}

/// A word that carries meaning: a negation cue, or a word of two letters or more that is
/// not a function word of the comment's language nor a number.
fn is_content(text: &str, token: &Token, language: Language) -> bool {
    if token.stem == NEGATION {
        return true;
    }
    let word = fold(&text[token.start..token.end]);
    if word.chars().count() < 2 || word.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let stop = match language {
        Language::En => STOP_EN,
        Language::Fr => STOP_FR,
    };
    !stop.contains(&word.as_str())
}

/// English function words (folded), plus the verbs too common to mean anything alone.
const STOP_EN: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "been", "before", "being", "both", "but", "by", "can", "could", "did", "do", "does",
    "doing", "each", "even", "for", "from", "get", "got", "had", "has", "have", "having", "he",
    "her", "here", "him", "his", "how", "i", "i'm", "i've", "i'd", "if", "in", "into", "is", "it",
    "it's", "its", "just", "me", "my", "of", "on", "or", "our", "out", "over", "so", "some",
    "such", "than", "that", "that's", "the", "their", "them", "then", "there", "there's", "these",
    "they", "this", "those", "through", "to", "too", "up", "us", "very", "was", "we", "were",
    "what", "when", "where", "which", "while", "who", "why", "will", "with", "would", "you",
    "your", "really", "still", "today", "day", "since", "because", "only",
];

/// French function words (folded: no accents), plus the forms of être, avoir and pouvoir.
const STOP_FR: &[&str] = &[
    "a",
    "ai",
    "as",
    "au",
    "aux",
    "avec",
    "avait",
    "avoir",
    "c'est",
    "ca",
    "ce",
    "ces",
    "cet",
    "cette",
    "comme",
    "dans",
    "de",
    "des",
    "du",
    "elle",
    "en",
    "est",
    "et",
    "etait",
    "ete",
    "etre",
    "eu",
    "il",
    "ils",
    "j'ai",
    "je",
    "la",
    "le",
    "les",
    "leur",
    "lui",
    "ma",
    "mais",
    "me",
    "mes",
    "moi",
    "mon",
    "ne",
    "nos",
    "notre",
    "nous",
    "on",
    "ont",
    "ou",
    "par",
    "peu",
    "peut",
    "peux",
    "pouvais",
    "pour",
    "pu",
    "qu'il",
    "que",
    "qui",
    "sa",
    "se",
    "ses",
    "si",
    "son",
    "sont",
    "sur",
    "ta",
    "te",
    "tes",
    "toi",
    "ton",
    "tres",
    "tu",
    "un",
    "une",
    "vos",
    "votre",
    "vous",
    "y",
    "aujourd'hui",
    "encore",
    "toujours",
    "deja",
    "meme",
    "tout",
    "tous",
    "toute",
    "fait",
    "suis",
    "sommes",
    "etes",
    "etais",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, language: Language) -> Vec<(String, String)> {
        phrases(text, &Analysed::new(text, language))
            .into_iter()
            .map(|p| (p.key, p.text))
            .collect()
    }

    #[test]
    fn function_words_are_skipped_and_the_text_is_kept_as_written() {
        assert_eq!(
            read("Site en panne depuis ce matin", Language::Fr),
            [
                ("sit pann".to_string(), "site en panne".to_string()),
                ("pann depuis".to_string(), "panne depuis".to_string()),
                ("depuis matin".to_string(), "depuis ce matin".to_string()),
            ]
        );
        // Accents and inflections aside, one phrase.
        let a = read("Le site est en panne", Language::Fr);
        let b = read("site  EN PANNE!", Language::Fr);
        assert_eq!(a[0].0, b[0].0);
    }

    #[test]
    fn a_negation_is_a_word_of_the_phrase() {
        let cant = read("I can't log in to my account", Language::En);
        let cannot = read("Cannot log in.", Language::En);
        assert_eq!(
            cant[0],
            (format!("{NEGATION} log"), "can't log".to_string())
        );
        assert_eq!(cant[0].0, cannot[0].0);
        assert_eq!(cant[1].1, "log in to my account");
    }

    #[test]
    fn a_phrase_never_spans_punctuation_and_each_is_counted_once() {
        assert_eq!(
            read("website down. website down!", Language::En),
            [("websit down".to_string(), "website down".to_string())]
        );
        assert!(read("Thanks, great", Language::En).is_empty());
        assert!(read("ok", Language::En).is_empty());
    }
}
