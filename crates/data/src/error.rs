//! The one error type of the data crate.

/// Everything that can go wrong while making or loading data. A read failure keeps the system's
/// error as its `source()`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// A data file cannot be read.
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
    /// A data file is larger than any data set this crate reads.
    #[error("cannot read {path}: more than {limit} bytes (the most a data file may hold)")]
    TooLarge {
        /// The file.
        path: std::path::PathBuf,
        /// The largest size accepted, in bytes.
        limit: u64,
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
    /// A fraction outside what it may be.
    #[error("invalid {name} {value}: {expected}")]
    InvalidFraction {
        /// Parameter name.
        name: &'static str,
        /// The value given.
        value: f64,
        /// What is accepted.
        expected: &'static str,
    },
}
