//! Suggested new themes: comments that no theme claims are clustered, and each cluster is
//! described by its most distinctive words, so a taxonomy grows from what people write.
//!
//! Each comment becomes an l2-normalised TF-IDF row of its content words (stop words of its
//! language dropped, words stemmed, 1–2-grams) and the rows are clustered with k-means
//! (linfa); on unit rows k-means groups comments by cosine similarity. k grows with the
//! number of comments (√(n/10), between 2 and `max_clusters`), clusters smaller than
//! `min_cluster_size` are dropped as noise, and a cluster is described by class-based TF-IDF
//! (BERTopic's c-TF-IDF: a term's frequency in the cluster, weighted by ln(1 + A / f), where
//! A is the mean number of terms per cluster and f the term's frequency over all clusters)
//! and by the comments nearest its centre.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use linfa::traits::{Fit, Predict};
use linfa::DatasetBase;
use linfa_clustering::KMeans;
use ndarray::{Array1, Array2};

use super::features::Vectoriser;
use super::text::{fold, Analysed, Language};

/// How comments are clustered and clusters described.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SuggestOptions {
    pub max_clusters: usize,
    /// Clusters with fewer comments are not suggested.
    pub min_cluster_size: usize,
    /// Distinctive terms shown per cluster.
    pub terms: usize,
    /// Example comments shown per cluster.
    pub examples: usize,
    /// Terms kept in the vocabulary, the most frequent first, which bounds memory at
    /// `comments × vocabulary` floats.
    pub max_vocabulary: usize,
}

impl Default for SuggestOptions {
    fn default() -> Self {
        SuggestOptions {
            max_clusters: 40,
            min_cluster_size: 5,
            terms: 6,
            examples: 3,
            max_vocabulary: 2_000,
        }
    }
}

/// One suggested theme.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The most distinctive terms, as people wrote them, most distinctive first.
    pub terms: Vec<String>,
    /// Comments in the cluster.
    pub comments: usize,
    /// Indices (into the comments given) of the comments nearest the cluster's centre.
    pub examples: Vec<usize>,
    /// Mean cosine similarity of the cluster's comments to its centre (0–1): how alike
    /// they are.
    pub cohesion: f64,
}

/// A comment as the suggestions read it: its content terms, and for each stem the words
/// people wrote for it.
struct Terms {
    terms: Vec<String>,
    surfaces: Vec<(String, String)>,
}

/// The suggested themes among `comments` (text and language), largest cluster first.
/// Fewer than two clusters' worth of comments gives none.
pub fn suggest(comments: &[(&str, Language)], options: &SuggestOptions) -> Vec<Suggestion> {
    if comments.len() < 2 * options.min_cluster_size.max(1) {
        return Vec::new();
    }
    let read: Vec<Terms> = comments
        .iter()
        .map(|(text, language)| content_terms(text, *language))
        .collect();
    let vectoriser = vocabulary(&read, options.max_vocabulary);
    if vectoriser.is_empty() {
        return Vec::new();
    }
    let mut rows = Array2::<f64>::zeros((comments.len(), vectoriser.len()));
    for (i, doc) in read.iter().enumerate() {
        for (feature, weight) in vectoriser.transform(&doc.terms) {
            rows[[i, feature as usize - 1]] = weight;
        }
    }
    let k = (comments.len() / 20).clamp(2, options.max_clusters.max(2));
    let dataset = DatasetBase::from(rows.clone());
    let Ok(model) = KMeans::params(k).max_n_iterations(100).fit(&dataset) else {
        return Vec::new();
    };
    let labels: Array1<usize> = model.predict(&rows);
    let centroids = model.centroids();

    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, &label) in labels.iter().enumerate() {
        members.entry(label).or_default().push(i);
    }
    members.retain(|_, docs| docs.len() >= options.min_cluster_size);
    let described = describe(&read, &members, options.terms);

    let mut suggestions: Vec<Suggestion> = members
        .iter()
        .map(|(&cluster, docs)| {
            let centre = centroids.row(cluster);
            let norm = centre.dot(&centre).sqrt().max(f64::EPSILON);
            let mut near: Vec<(usize, f64)> = docs
                .iter()
                .map(|&i| (i, rows.row(i).dot(&centre) / norm))
                .collect();
            let cohesion = near.iter().map(|(_, s)| s).sum::<f64>() / near.len() as f64;
            near.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            Suggestion {
                terms: described.get(&cluster).cloned().unwrap_or_default(),
                comments: docs.len(),
                examples: near
                    .iter()
                    .take(options.examples)
                    .map(|(i, _)| *i)
                    .collect(),
                cohesion,
            }
        })
        .collect();
    suggestions.sort_by(|a, b| {
        b.comments
            .cmp(&a.comments)
            .then(b.cohesion.total_cmp(&a.cohesion))
    });
    suggestions
}

/// The vocabulary of the most frequent terms found in at least two comments.
fn vocabulary(read: &[Terms], max: usize) -> Vectoriser {
    let mut df: HashMap<&str, usize> = HashMap::new();
    for doc in read {
        let unique: HashSet<&str> = doc.terms.iter().map(String::as_str).collect();
        for term in unique {
            *df.entry(term).or_default() += 1;
        }
    }
    let mut frequent: Vec<(&str, usize)> = df.into_iter().filter(|(_, n)| *n >= 2).collect();
    frequent.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    frequent.truncate(max);
    let kept: HashSet<&str> = frequent.into_iter().map(|(t, _)| t).collect();
    let docs: Vec<Vec<String>> = read
        .iter()
        .map(|d| {
            d.terms
                .iter()
                .filter(|t| kept.contains(t.as_str()))
                .cloned()
                .collect()
        })
        .collect();
    Vectoriser::fit(docs.iter().map(Vec::as_slice), 2, true)
}

/// Each cluster's most distinctive terms by c-TF-IDF, each shown as the words people wrote
/// most often for it.
fn describe(
    read: &[Terms],
    members: &BTreeMap<usize, Vec<usize>>,
    count: usize,
) -> BTreeMap<usize, Vec<String>> {
    let mut per_cluster: BTreeMap<usize, HashMap<&str, f64>> = BTreeMap::new();
    let mut overall: HashMap<&str, f64> = HashMap::new();
    let mut surfaces: HashMap<&str, HashMap<&str, usize>> = HashMap::new();
    for (&cluster, docs) in members {
        let tf = per_cluster.entry(cluster).or_default();
        for &i in docs {
            for term in &read[i].terms {
                *tf.entry(term).or_default() += 1.0;
                *overall.entry(term).or_default() += 1.0;
            }
            for (term, surface) in &read[i].surfaces {
                *surfaces
                    .entry(term)
                    .or_default()
                    .entry(surface)
                    .or_default() += 1;
            }
        }
    }
    let average = overall.values().sum::<f64>() / per_cluster.len().max(1) as f64;
    per_cluster
        .into_iter()
        .map(|(cluster, tf)| {
            let size: f64 = tf.values().sum();
            let mut weighted: Vec<(&str, f64)> = tf
                .iter()
                .filter(|(_, &n)| n >= 2.0)
                .map(|(&term, &n)| (term, n / size * (1.0 + average / overall[term]).ln()))
                .collect();
            weighted.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
            let mut shown: Vec<String> = Vec::new();
            for (term, _) in weighted {
                let surface = surfaces.get(term).and_then(|s| {
                    s.iter()
                        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                        .map(|(w, _)| (*w).to_owned())
                });
                let surface = surface.unwrap_or_else(|| term.to_owned());
                // A bigram already says what its words say: show a word once.
                if shown
                    .iter()
                    .any(|s| s.contains(&surface) || surface.contains(s.as_str()))
                {
                    continue;
                }
                shown.push(surface);
                if shown.len() == count {
                    break;
                }
            }
            (cluster, shown)
        })
        .collect()
}

/// A comment's content words (stop words of its language dropped) as stemmed 1–2-grams,
/// with the words as written for each.
fn content_terms(text: &str, language: Language) -> Terms {
    let analysed = Analysed::new(text, language);
    let stop = stop_words(language);
    let words: Vec<(String, String)> = analysed
        .tokens
        .iter()
        .filter(|t| !t.negated)
        .filter_map(|t| {
            let written = text.get(t.start..t.end)?;
            let folded = fold(written);
            (folded.chars().count() > 1
                && !stop.contains(folded.as_str())
                && folded.chars().any(char::is_alphabetic))
            .then(|| (t.stem.clone(), written.to_lowercase()))
        })
        .collect();
    let mut terms: Vec<String> = words.iter().map(|(stem, _)| stem.clone()).collect();
    let mut surfaces: Vec<(String, String)> = words.clone();
    for pair in words.windows(2) {
        let term = format!("{} {}", pair[0].0, pair[1].0);
        surfaces.push((term.clone(), format!("{} {}", pair[0].1, pair[1].1)));
        terms.push(term);
    }
    Terms { terms, surfaces }
}

/// NLTK's stop words of `language`, accent-folded as the tokens are.
fn stop_words(language: Language) -> &'static HashSet<String> {
    static EN: OnceLock<HashSet<String>> = OnceLock::new();
    static FR: OnceLock<HashSet<String>> = OnceLock::new();
    let (cell, code) = match language {
        Language::En => (&EN, "en"),
        Language::Fr => (&FR, "fr"),
    };
    cell.get_or_init(|| {
        stop_words::get(code)
            .iter()
            .map(|w| fold(w))
            .chain(GENERIC.iter().map(|w| (*w).to_owned()))
            .collect()
    })
}

/// Words NLTK's lists keep that say nothing about a subject in comments on a public service
/// (filler verbs, numbers, thanks), which would otherwise describe every cluster.
const GENERIC: &[&str] = &[
    "service", "services", "thank", "thanks", "please", "got", "get", "one", "two", "three", "go",
    "went", "took", "take", "told", "said", "also", "would", "could", "really", "still", "even",
    "back", "like", "much", "way", "well", "make", "made", "merci", "ca", "fait", "faire", "tout",
    "tous", "toute", "quoi", "dit", "deux", "trois", "comme", "encore", "bien", "tres", "alors",
    "apres", "avant", "aussi",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn many(texts: &[&str], times: usize, language: Language) -> Vec<(String, Language)> {
        (0..times)
            .flat_map(|i| texts.iter().map(move |t| (format!("{t} (#{i})"), language)))
            .collect()
    }

    #[test]
    fn comments_about_a_new_subject_form_a_cluster_described_by_its_words() {
        let mut comments = many(
            &[
                "The parking lot was full and I circled for an hour",
                "No parking near the office, the parking lot is tiny",
                "Parking lot closed, had to park far away",
            ],
            6,
            Language::En,
        );
        comments.extend(many(
            &[
                "Le stationnement est payant et trop cher",
                "Aucun stationnement gratuit pres du bureau, stationnement payant",
                "Stationnement payant, c'est abusif",
            ],
            6,
            Language::Fr,
        ));
        let input: Vec<(&str, Language)> = comments.iter().map(|(t, l)| (t.as_str(), *l)).collect();
        let suggestions = suggest(&input, &SuggestOptions::default());
        assert!(!suggestions.is_empty());
        let english = suggestions
            .iter()
            .find(|s| s.terms.iter().any(|t| t.contains("parking")))
            .unwrap_or_else(|| panic!("no parking cluster in {suggestions:?}"));
        let french = suggestions
            .iter()
            .find(|s| s.terms.iter().any(|t| t.contains("stationnement")))
            .unwrap_or_else(|| panic!("no stationnement cluster in {suggestions:?}"));
        for s in [english, french] {
            assert!(s.comments >= 5, "{s:?}");
            assert!(!s.terms.iter().any(|t| t == "the" || t == "le"), "{s:?}");
            assert!(s.cohesion > 0.2 && s.cohesion <= 1.0 + 1e-9, "{s:?}");
            assert_eq!(s.examples.len(), 3);
        }
        // Examples are comments of their own cluster.
        assert!(english
            .examples
            .iter()
            .all(|&i| input[i].0.to_lowercase().contains("parking")));
    }

    #[test]
    fn too_few_comments_suggest_nothing() {
        let input = [("The parking lot was full", Language::En); 6];
        assert!(suggest(&input, &SuggestOptions::default()).is_empty());
    }
}
