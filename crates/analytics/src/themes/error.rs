//! What can go wrong reading labels, training or loading a themes model.

/// One error enum for the themes rules.
#[derive(Debug, thiserror::Error)]
pub enum ThemesError {
    /// A labelled file that cannot be read as intended, with where.
    #[error("line {line}, column `{column}`: {reason}")]
    Labels {
        line: u64,
        column: String,
        reason: String,
    },
    /// A labelled file refused as a whole (empty, no text column, duplicate columns).
    #[error("{0}")]
    LabelsFile(String),
    #[error("training failed: {0}")]
    Train(String),
    #[error("model file: {0}")]
    Model(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}
