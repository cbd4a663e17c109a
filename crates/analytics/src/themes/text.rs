//! The text pipeline every theme rule reads comments through: the comment's language, its
//! words (Unicode segmentation), lower-cased and accent-folded, stemmed in that language
//! (Snowball), with the words a negation governs marked, and the word 1–2-grams made of them.
//!
//! Seeds and comments go through the same pipeline, so a seed matches what it means whatever
//! the inflection, the accents a writer left out, or the case.

use std::borrow::Cow;
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;
use whatlang::{Detector, Lang};

/// The stem every negation cue is read as, so "no", "never", "couldn't", "pas" and "jamais"
/// all open a negation the same way and a seed such as "not rude" matches "wasn't rude".
pub const NEGATION: &str = "¬";

/// How many words after a cue its negation reaches (punctuation ends it sooner).
const NEGATION_SCOPE: usize = 3;

/// The two languages comments are read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    Fr,
}

impl Language {
    /// `en`/`fr` (any case, or a locale such as `fr-CA`); anything else is none.
    pub fn parse(code: &str) -> Option<Language> {
        let code = code.trim().to_ascii_lowercase();
        match code.get(..2) {
            Some("en") => Some(Language::En),
            Some("fr") => Some(Language::Fr),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Fr => "fr",
        }
    }

    /// The language `text` is written in, by whatlang's embedded trigram profiles limited to
    /// English and French; `fallback` (the survey's or service's language) when whatlang is
    /// not confident, which is usual for a comment of a few words.
    pub fn detect(text: &str, fallback: Language) -> Language {
        static DETECTOR: OnceLock<Detector> = OnceLock::new();
        let detector =
            DETECTOR.get_or_init(|| Detector::with_allowlist(vec![Lang::Eng, Lang::Fra]));
        // Between two languages the detector's choice beats a blind fallback even when it is
        // short of whatlang's "reliable" (which asks much of a one-line comment); only a tie
        // (no confidence at all) falls back.
        match detector.detect(text) {
            Some(info) if info.is_reliable() || info.confidence() > 0.0 => match info.lang() {
                Lang::Fra => Language::Fr,
                _ => Language::En,
            },
            _ => fallback,
        }
    }

    fn stemmer(self) -> &'static Stemmer {
        static EN: OnceLock<Stemmer> = OnceLock::new();
        static FR: OnceLock<Stemmer> = OnceLock::new();
        match self {
            Language::En => EN.get_or_init(|| Stemmer::create(Algorithm::English)),
            Language::Fr => FR.get_or_init(|| Stemmer::create(Algorithm::French)),
        }
    }
}

/// One word of a comment as the rules read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Lower-cased, accent-folded and stemmed; [`NEGATION`] for a negation cue.
    pub stem: String,
    /// Whether a negation cue before it governs it.
    pub negated: bool,
    /// Byte offsets of the word in the original text, for evidence.
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// The token as a feature: a negated word is a different feature ("¬rude" is not "rude").
    pub fn feature(&self) -> Cow<'_, str> {
        if self.negated {
            Cow::Owned(format!("{NEGATION}{}", self.stem))
        } else {
            Cow::Borrowed(&self.stem)
        }
    }
}

/// A comment read through the pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysed {
    pub language: Language,
    pub tokens: Vec<Token>,
}

impl Analysed {
    /// Reads `text` in `language`.
    pub fn new(text: &str, language: Language) -> Analysed {
        Analysed {
            language,
            tokens: tokens(text, language),
        }
    }

    /// Word 1- and 2-grams, each with the token range it spans (a bigram never crosses
    /// punctuation, which the tokens do not keep, so it may join words a comma separated:
    /// accepted, as the n-gram models everyone compares with do the same).
    pub fn ngrams(&self) -> impl Iterator<Item = (String, std::ops::Range<usize>)> + '_ {
        let unigrams = self
            .tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.feature().into_owned(), i..i + 1));
        let bigrams = self.tokens.windows(2).enumerate().map(|(i, pair)| {
            (
                format!("{} {}", pair[0].feature(), pair[1].feature()),
                i..i + 2,
            )
        });
        unigrams.chain(bigrams)
    }
}

/// Lower-cases and removes accents (NFD, then combining marks dropped): "Reçu" and "recu"
/// are one word to the rules, since many people type French without accents.
pub fn fold(word: &str) -> String {
    word.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c == '’' { '\'' } else { c })
        .collect()
}

/// English cues (with common misspellings of the contractions); a word ending in "n't" is a
/// cue too.
const CUES_EN: &[&str] = &[
    "not", "no", "never", "without", "nothing", "nobody", "none", "cannot", "cant", "dont",
    "didnt", "doesnt", "isnt", "wasnt", "werent", "wont", "couldnt", "wouldnt", "shouldnt",
    "havent", "hasnt", "hadnt", "aint", "neither", "nor",
];
/// French cues; "plus" only after a "ne" ("ne … plus"), as it otherwise means "more".
const CUES_FR: &[&str] = &["pas", "jamais", "aucun", "aucune", "sans", "ni", "rien"];

fn is_cue(word: &str, language: Language, after_ne: bool) -> bool {
    match language {
        Language::En => CUES_EN.contains(&word) || word.ends_with("n't"),
        Language::Fr => CUES_FR.contains(&word) || (word == "plus" && after_ne),
    }
}

/// Segments, folds, stems and marks negation.
fn tokens(text: &str, language: Language) -> Vec<Token> {
    let stemmer = language.stemmer();
    let mut out = Vec::new();
    let mut scope = 0usize;
    let mut after_ne = false;
    for (offset, segment) in text.split_word_bound_indices() {
        if !segment.chars().any(char::is_alphanumeric) {
            if segment
                .chars()
                .any(|c| !c.is_whitespace() && c != '\'' && c != '’' && c != '-')
            {
                // Punctuation ends a negation's scope and a "ne".
                scope = 0;
                after_ne = false;
            }
            continue;
        }
        for (start, word) in split_elision(segment, language) {
            let folded = fold(word);
            let start = offset + start;
            let end = start + word.len();
            if is_cue(&folded, language, after_ne) {
                out.push(Token {
                    stem: NEGATION.to_owned(),
                    negated: false,
                    start,
                    end,
                });
                scope = NEGATION_SCOPE;
                continue;
            }
            if language == Language::Fr && (folded == "ne" || folded == "n") {
                after_ne = true;
            }
            out.push(Token {
                stem: stemmer.stem(&folded).into_owned(),
                negated: scope > 0,
                start,
                end,
            });
            scope = scope.saturating_sub(1);
        }
    }
    out
}

/// French elisions ("l'attente", "n'ai", "qu'on") are one word to Unicode segmentation and two
/// to a reader: split them after the apostrophe when the part before is a short clitic.
fn split_elision(word: &str, language: Language) -> Vec<(usize, &str)> {
    if language == Language::Fr {
        if let Some(at) = word.find(['\'', '’']) {
            let head = &word[..at];
            let apostrophe = word[at..].chars().next().map_or(1, char::len_utf8);
            let tail = &word[at + apostrophe..];
            if head.chars().count() <= 5 && !tail.is_empty() {
                return vec![(0, head), (at + apostrophe, tail)];
            }
        }
    }
    vec![(0, word)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, language: Language) -> Vec<String> {
        Analysed::new(text, language)
            .tokens
            .iter()
            .map(|t| t.feature().into_owned())
            .collect()
    }

    #[test]
    fn words_are_stemmed_and_folded_in_their_language() {
        assert_eq!(read("Waited, WAITING!", Language::En), ["wait", "wait"]);
        // With or without accents, the same stem.
        assert_eq!(read("reçu", Language::Fr), read("Recu", Language::Fr));
        assert_eq!(read("l'attente", Language::Fr), ["l", "attent"]);
    }

    #[test]
    fn a_negation_governs_three_words_or_until_punctuation() {
        assert_eq!(
            read("the staff were not rude at all, honestly", Language::En),
            ["the", "staff", "were", NEGATION, "¬rude", "¬at", "¬all", "honest"]
        );
        assert_eq!(
            read("I couldn't get through.", Language::En),
            ["i", NEGATION, "¬get", "¬through"]
        );
        assert_eq!(
            read("Je n'ai pas reçu ma carte", Language::Fr),
            ["je", "n", "ai", NEGATION, "¬recu", "¬ma", "¬cart"]
        );
        // "plus" is a cue only after "ne".
        assert_eq!(read("je ne reviens plus ici", Language::Fr)[3], NEGATION);
        assert_eq!(read("plus rapide", Language::Fr)[0], "plus");
    }

    #[test]
    fn evidence_offsets_point_into_the_original_text() {
        let text = "Très impolie, l’agente.";
        let analysed = Analysed::new(text, Language::Fr);
        let words: Vec<_> = analysed
            .tokens
            .iter()
            .map(|t| &text[t.start..t.end])
            .collect();
        assert_eq!(words, ["Très", "impolie", "l", "agente"]);
    }

    #[test]
    fn the_language_is_detected_and_short_comments_fall_back() {
        assert_eq!(
            Language::detect(
                "Le commis ne parlait pas français du tout, j'ai dû me débrouiller en anglais.",
                Language::En
            ),
            Language::Fr
        );
        assert_eq!(
            Language::detect(
                "Waited almost three hours at the passport office and the line barely moved.",
                Language::Fr
            ),
            Language::En
        );
        assert_eq!(Language::detect("ok", Language::Fr), Language::Fr);
        // Short of whatlang's "reliable", yet plainly French: read as French.
        assert_eq!(
            Language::detect(
                "J'ai attendu deux heures au comptoir, c'est trop long.",
                Language::En
            ),
            Language::Fr
        );
        assert_eq!(Language::parse("fr-CA"), Some(Language::Fr));
        assert_eq!(Language::parse("de"), None);
    }

    #[test]
    fn ngrams_are_words_and_pairs() {
        let analysed = Analysed::new("long wait", Language::En);
        let grams: Vec<_> = analysed.ngrams().map(|(g, _)| g).collect();
        assert_eq!(grams, ["long", "wait", "long wait"]);
    }
}
