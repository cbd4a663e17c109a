//! What a tagger says about one comment: its themes, each with a score and the evidence an
//! analyst reads to see why.

use serde::{Deserialize, Serialize};

/// One theme on one comment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    /// The theme's id in the taxonomy.
    pub theme: String,
    /// In [0, 1]: the model's probability, or for seeds alone 1 − ½ⁿ over n matched phrases.
    pub score: f64,
    /// The phrases of the comment that led to the tag, strongest first.
    pub evidence: Vec<Evidence>,
}

/// A span of the original comment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The text of the span, as written.
    pub phrase: String,
    /// Byte offsets of the span in the comment.
    pub start: usize,
    pub end: usize,
    /// What the span added to the theme's score: the model's weight × the feature's value,
    /// or 1 for a seed phrase.
    pub weight: f64,
}

impl Evidence {
    pub(crate) fn span(text: &str, start: usize, end: usize, weight: f64) -> Evidence {
        Evidence {
            phrase: text.get(start..end).unwrap_or_default().to_owned(),
            start,
            end,
            weight,
        }
    }
}
