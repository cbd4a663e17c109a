//! What people write: themes and their evidence, and the rules that read them over time
//! ([`emerging`] issues against each service's own baseline).
//!
//! - [`text`]: the pipeline every rule reads a comment through (language, words, stems,
//!   negation, n-grams);
//! - [`seeds`]: the seed tagger, the cold start before labels exist;
//! - [`tag`]: what a tagger says about a comment (themes, scores, evidence).

pub mod emerging;
pub mod seeds;
pub mod tag;
pub mod text;

pub use seeds::SeedTagger;
pub use tag::{Evidence, Tag};
pub use text::{Analysed, Language};
