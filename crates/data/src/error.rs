//! The one error type of the data crate.

/// Everything that can go wrong while making or loading data.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DataError {
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
