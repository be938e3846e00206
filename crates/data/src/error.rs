//! The one error type of the data crate.

/// Everything that can go wrong while making or loading data.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DataError {
    /// A data file cannot be read.
    #[error("cannot read {path}: {message}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The system's message.
        message: String,
    },
    /// A CSV file's content is unusable.
    #[error("{path}: {reason}")]
    Csv {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong, with line numbers.
        reason: String,
    },
    /// A size parameter is zero or too large.
    #[error("invalid {name}: {value} ({expected})")]
    InvalidSize {
        /// Parameter name.
        name: &'static str,
        /// The value given.
        value: usize,
        /// What is accepted.
        expected: &'static str,
    },
}
