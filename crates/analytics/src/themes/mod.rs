//! What people write: themes and their evidence, and the rules that read them over time
//! ([`emerging`] issues against each service's own baseline).
//!
//! - [`text`]: the pipeline every rule reads a comment through (language, words, stems,
//!   negation, n-grams).

pub mod emerging;
pub mod text;
