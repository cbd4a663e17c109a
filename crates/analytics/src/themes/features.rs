//! TF-IDF features: a fitted vocabulary of terms (n-grams, seed indicators) with their
//! inverse document frequencies, turning a comment's terms into an l2-normalised sparse row.
//! Sublinear term frequency (1 + ln tf) keeps a word repeated in a rant from outweighing the
//! rest of the comment.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::linear::Row;
use super::seeds::SeedMatch;
use super::text::Analysed;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Vectoriser {
    /// The vocabulary, sorted; term `i` is feature `i + 1`.
    terms: Vec<String>,
    idf: Vec<f32>,
    sublinear: bool,
    #[serde(skip)]
    index: HashMap<String, u32>,
}

impl PartialEq for Vectoriser {
    fn eq(&self, other: &Self) -> bool {
        (&self.terms, &self.idf, self.sublinear) == (&other.terms, &other.idf, other.sublinear)
    }
}

impl Vectoriser {
    /// Learns the vocabulary of `docs` (each a list of terms, repeated as they occur), keeping
    /// terms found in at least `min_df` documents; idf is scikit-learn's smoothed one,
    /// ln((1 + n) / (1 + df)) + 1.
    pub fn fit<'a>(
        docs: impl Iterator<Item = &'a [String]>,
        min_df: usize,
        sublinear: bool,
    ) -> Vectoriser {
        let mut df: BTreeMap<&str, usize> = BTreeMap::new();
        let mut n = 0usize;
        for doc in docs {
            n += 1;
            let mut seen: Vec<&str> = doc.iter().map(String::as_str).collect();
            seen.sort_unstable();
            seen.dedup();
            for term in seen {
                *df.entry(term).or_default() += 1;
            }
        }
        let (terms, idf) = df
            .into_iter()
            .filter(|&(_, count)| count >= min_df)
            .map(|(term, count)| {
                let idf = ((1.0 + n as f64) / (1.0 + count as f64)).ln() + 1.0;
                (term.to_owned(), idf as f32)
            })
            .unzip();
        let mut vectoriser = Vectoriser {
            terms,
            idf,
            sublinear,
            index: HashMap::new(),
        };
        vectoriser.reindex();
        vectoriser
    }

    /// Rebuilds the term index after deserialising.
    pub fn reindex(&mut self) {
        self.index = self
            .terms
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32 + 1))
            .collect();
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The feature index of `term`, if in the vocabulary.
    pub fn feature(&self, term: &str) -> Option<u32> {
        self.index.get(term).copied()
    }

    /// A document's row; terms outside the vocabulary are dropped.
    pub fn transform<S: AsRef<str>>(&self, doc: &[S]) -> Row {
        let mut counts: BTreeMap<u32, f64> = BTreeMap::new();
        for term in doc {
            if let Some(&i) = self.index.get(term.as_ref()) {
                *counts.entry(i).or_default() += 1.0;
            }
        }
        let mut row: Row = counts
            .into_iter()
            .map(|(i, tf)| {
                let tf = if self.sublinear { 1.0 + tf.ln() } else { tf };
                (i, tf * f64::from(self.idf[i as usize - 1]))
            })
            .collect();
        let norm = row.iter().map(|(_, x)| x * x).sum::<f64>().sqrt();
        if norm > 0.0 {
            row.iter_mut().for_each(|(_, x)| *x /= norm);
        }
        row
    }
}

/// A comment's terms for the themes model: its stemmed, negation-marked word 1–2-grams and
/// one indicator per theme whose seed matched, each with the tokens it spans (for evidence).
pub fn comment_terms(
    comment: &Analysed,
    seeds: &[SeedMatch],
    seed_themes: &[String],
) -> Vec<(String, Range<usize>)> {
    let mut terms: Vec<_> = comment.ngrams().collect();
    terms.extend(
        seeds
            .iter()
            .map(|m| (seed_term(&seed_themes[m.theme]), m.tokens.clone())),
    );
    terms
}

/// The indicator term of a seed match of `theme`.
pub fn seed_term(theme: &str) -> String {
    format!("<seed:{theme}>")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(terms: &[&str]) -> Vec<String> {
        terms.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn rare_terms_weigh_more_and_rows_are_unit_length() {
        let docs = [
            doc(&["wait", "long"]),
            doc(&["wait", "rude"]),
            doc(&["wait"]),
        ];
        let vectoriser = Vectoriser::fit(docs.iter().map(Vec::as_slice), 1, true);
        let row = vectoriser.transform(&["wait", "rude", "unseen"]);
        assert_eq!(row.len(), 2);
        let weight = |t: &str| {
            row.iter()
                .find(|(i, _)| Some(*i) == vectoriser.feature(t))
                .unwrap()
                .1
        };
        assert!(weight("rude") > weight("wait"));
        let norm: f64 = row.iter().map(|(_, x)| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-9);
        // min_df drops terms seen once.
        assert_eq!(
            Vectoriser::fit(docs.iter().map(Vec::as_slice), 2, true).len(),
            1
        );
    }
}
