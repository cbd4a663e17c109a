//! Sentiment per comment: negative, mixed (or neutral) or positive, with a score. A small
//! lexicon in both languages gives the start, read with negation ("not rude" leans positive,
//! "pas génial" negative); once comments are labelled, a multi-class logistic regression on
//! the same features as the themes (plus the lexicon's counts) takes over.

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::linear::{self, Linear, Row};
use super::text::{Analysed, Language};
use super::ThemesError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sentiment {
    Negative,
    Mixed,
    Positive,
}

impl Sentiment {
    pub const ALL: [Sentiment; 3] = [Sentiment::Negative, Sentiment::Mixed, Sentiment::Positive];

    /// `negative`, `mixed` (or `neutral`), `positive`.
    pub fn parse(value: &str) -> Option<Sentiment> {
        match value.trim().to_ascii_lowercase().as_str() {
            "negative" | "neg" => Some(Sentiment::Negative),
            "mixed" | "neutral" => Some(Sentiment::Mixed),
            "positive" | "pos" => Some(Sentiment::Positive),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Sentiment::Negative => "negative",
            Sentiment::Mixed => "mixed",
            Sentiment::Positive => "positive",
        }
    }
}

/// A comment's sentiment and how sure the reading is (a probability when learned).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SentimentScore {
    pub sentiment: Sentiment,
    pub score: f64,
}

const POSITIVE_EN: &[&str] = &[
    "good",
    "great",
    "excellent",
    "amazing",
    "awesome",
    "fantastic",
    "wonderful",
    "helpful",
    "friendly",
    "kind",
    "polite",
    "patient",
    "fast",
    "quick",
    "easy",
    "smooth",
    "efficient",
    "thank",
    "thanks",
    "appreciated",
    "perfect",
    "pleasant",
    "nice",
    "impressed",
    "clear",
    "simple",
    "love",
    "best",
    "professional",
    "courteous",
    "respectful",
    "well",
];
const NEGATIVE_EN: &[&str] = &[
    "bad",
    "terrible",
    "awful",
    "horrible",
    "rude",
    "slow",
    "long",
    "useless",
    "unacceptable",
    "ridiculous",
    "frustrating",
    "frustrated",
    "confusing",
    "unclear",
    "wrong",
    "error",
    "broken",
    "crash",
    "lost",
    "refused",
    "denied",
    "rejected",
    "nightmare",
    "worst",
    "waste",
    "impossible",
    "disappointed",
    "angry",
    "unfair",
    "expensive",
    "problem",
    "issue",
    "fail",
    "stuck",
    "annoying",
    "incompetent",
    "poor",
    "hard",
    "difficult",
];
const POSITIVE_FR: &[&str] = &[
    "bon",
    "bien",
    "excellent",
    "super",
    "génial",
    "parfait",
    "merci",
    "aimable",
    "gentil",
    "gentille",
    "poli",
    "polie",
    "patient",
    "patiente",
    "rapide",
    "rapidement",
    "facile",
    "simple",
    "efficace",
    "agréable",
    "bravo",
    "impeccable",
    "clair",
    "claire",
    "professionnel",
    "courtois",
    "apprécié",
    "content",
    "satisfait",
    "formidable",
];
const NEGATIVE_FR: &[&str] = &[
    "mauvais",
    "terrible",
    "horrible",
    "impoli",
    "impolie",
    "lent",
    "lente",
    "long",
    "longtemps",
    "inutile",
    "inacceptable",
    "ridicule",
    "frustrant",
    "frustrée",
    "frustré",
    "confus",
    "erreur",
    "panne",
    "plante",
    "perdu",
    "refusé",
    "refusée",
    "rejeté",
    "cauchemar",
    "pire",
    "impossible",
    "déçu",
    "déçue",
    "injuste",
    "cher",
    "problème",
    "bloqué",
    "bloquée",
    "difficile",
    "incompétent",
    "désagréable",
    "honteux",
    "fâché",
];

/// The lexicon's stems per language: (positive, negative).
fn lexicon(language: Language) -> &'static (HashSet<String>, HashSet<String>) {
    static EN: OnceLock<(HashSet<String>, HashSet<String>)> = OnceLock::new();
    static FR: OnceLock<(HashSet<String>, HashSet<String>)> = OnceLock::new();
    let stems = |words: &[&str]| -> HashSet<String> {
        words
            .iter()
            .flat_map(|w| Analysed::new(w, language).tokens)
            .map(|t| t.stem)
            .collect()
    };
    match language {
        Language::En => EN.get_or_init(|| (stems(POSITIVE_EN), stems(NEGATIVE_EN))),
        Language::Fr => FR.get_or_init(|| (stems(POSITIVE_FR), stems(NEGATIVE_FR))),
    }
}

/// The lexicon's (positive, negative) weight in a comment: a negated word counts half for
/// the other side ("not rude" is faint praise, "not great" a complaint).
pub fn lexicon_counts(comment: &Analysed) -> (f64, f64) {
    let (positive, negative) = lexicon(comment.language);
    let (mut pos, mut neg) = (0.0, 0.0);
    for token in &comment.tokens {
        let (p, n) = (
            positive.contains(&token.stem),
            negative.contains(&token.stem),
        );
        match (p, n, token.negated) {
            (true, false, false) => pos += 1.0,
            (true, false, true) => neg += 1.0,
            (false, true, false) => neg += 1.0,
            (false, true, true) => pos += 0.5,
            _ => {}
        }
    }
    (pos, neg)
}

/// The lexicon's reading: both sides present is mixed, neither is mixed (neutral).
pub fn from_lexicon(comment: &Analysed) -> SentimentScore {
    let (pos, neg) = lexicon_counts(comment);
    let total = pos + neg;
    let sentiment = if pos > 0.0 && neg > 0.0 && pos.min(neg) / total >= 0.3 {
        Sentiment::Mixed
    } else if neg > pos {
        Sentiment::Negative
    } else if pos > neg {
        Sentiment::Positive
    } else {
        Sentiment::Mixed
    };
    let score = if total == 0.0 {
        0.5
    } else {
        0.5 + 0.5 * ((pos - neg).abs() / total) * (1.0 - 0.5f64.powf(total))
    };
    SentimentScore { sentiment, score }
}

/// The lexicon's counts as two extra features after the vocabulary's `features`.
pub fn with_lexicon(mut row: Row, comment: &Analysed, features: usize) -> Row {
    let (pos, neg) = lexicon_counts(comment);
    row.push((features as u32 + 1, (pos).ln_1p() / 2.0));
    row.push((features as u32 + 2, (neg).ln_1p() / 2.0));
    row
}

/// Learned sentiment: one logistic model per class, the most probable class wins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentimentModel {
    classes: Vec<Option<Linear>>,
}

impl SentimentModel {
    pub fn train(rows: &[Row], labels: &[Sentiment], cost: f64) -> Result<Self, ThemesError> {
        let class: Vec<usize> = labels
            .iter()
            .map(|s| Sentiment::ALL.iter().position(|a| a == s).unwrap_or(1))
            .collect();
        Ok(SentimentModel {
            classes: linear::train_multiclass(rows, &class, Sentiment::ALL.len(), cost)?,
        })
    }

    pub fn predict(&self, row: &[(u32, f64)]) -> SentimentScore {
        let probabilities: Vec<f64> = self
            .classes
            .iter()
            .map(|m| m.as_ref().map_or(0.0, |m| m.probability(row)))
            .collect();
        let total: f64 = probabilities.iter().sum::<f64>().max(f64::MIN_POSITIVE);
        let (best, p) =
            probabilities.iter().enumerate().fold(
                (1, 0.0),
                |acc, (i, &p)| if p > acc.1 { (i, p) } else { acc },
            );
        SentimentScore {
            sentiment: Sentiment::ALL[best],
            score: p / total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, language: Language) -> Sentiment {
        from_lexicon(&Analysed::new(text, language)).sentiment
    }

    #[test]
    fn the_lexicon_reads_negation_in_both_languages() {
        assert_eq!(
            read("the agent was very rude", Language::En),
            Sentiment::Negative
        );
        assert_ne!(
            read("the staff were not rude at all", Language::En),
            Sentiment::Negative
        );
        assert_eq!(
            read("the service was not great", Language::En),
            Sentiment::Negative
        );
        assert_eq!(
            read("Merci, service rapide et agréable", Language::Fr),
            Sentiment::Positive
        );
        assert_eq!(
            read("Le site était pas clair du tout", Language::Fr),
            Sentiment::Negative
        );
        assert_eq!(
            read(
                "Staff were friendly but the wait was terrible",
                Language::En
            ),
            Sentiment::Mixed
        );
    }
}
