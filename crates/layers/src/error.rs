//! The one error type of the layers crate.

use tensor::TensorError;

/// Everything a layer or model can report.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LayerError {
    /// A tensor op failed (shape mismatch, device, ...).
    #[error(transparent)]
    Tensor(#[from] TensorError),
    /// `backward` was called before any `forward`.
    #[error("{layer}: backward called before forward")]
    BackwardBeforeForward {
        /// The layer.
        layer: &'static str,
    },
    /// A size given to a constructor is zero or too large.
    #[error("{layer}: invalid {name} {value} ({expected})")]
    InvalidSize {
        /// The layer or model.
        layer: &'static str,
        /// The size's name.
        name: &'static str,
        /// The value given.
        value: usize,
        /// What is accepted.
        expected: &'static str,
    },
}

/// Shorthand for results of this crate.
pub type Result<T, E = LayerError> = std::result::Result<T, E>;
