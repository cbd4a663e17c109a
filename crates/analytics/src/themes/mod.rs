//! What people write: themes and their evidence, and the rules that read them over time
//! ([`emerging`] issues against each service's own baseline).
//!
//! - [`text`]: the pipeline every rule reads a comment through (language, words, stems,
//!   negation, n-grams);
//! - [`seeds`]: the seed tagger, the cold start before labels exist;
//! - [`tag`]: what a tagger says about a comment (themes, scores, evidence);
//! - [`model`]: the learned themes model (seeds, then logistic regressions), its file and
//!   fingerprint; [`sentiment`] beside it;
//! - [`labels`]: labelled comments from a CSV file; [`evaluate`]: measures on a split, and
//!   the TF-IDF + linear SVM baseline they are compared with; [`crossval`]: the tuning both
//!   share;
//! - [`features`], [`linear`]: TF-IDF rows and the liblinear models they feed;
//! - [`drivers`]: which themes go with dissatisfaction, with intervals; [`emerging`]: which
//!   themes or [`phrases`] rise above a service's own baseline; [`suggestions`]: new
//!   themes from the comments no theme claims;
//! - [`read`]: each service's respondents by their comment's themes and whether they were
//!   dissatisfied, the read the drivers and the matrix's theme shares rest on.

pub mod crossval;
pub mod drivers;
pub mod emerging;
pub mod error;
pub mod evaluate;
pub mod features;
pub mod labels;
pub mod linear;
pub mod model;
pub mod phrases;
pub mod read;
pub mod seeds;
pub mod sentiment;
pub mod suggestions;
pub mod tag;
pub mod text;

pub use error::ThemesError;
pub use labels::{LabelledSet, LabelsOptions};
pub use model::{Model, Reading, TrainOptions};
pub use seeds::SeedTagger;
pub use sentiment::{Sentiment, SentimentScore};
pub use tag::{Evidence, Tag};
pub use text::{Analysed, Language};
