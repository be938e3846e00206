//! The one error type of the boundary crate.

/// Everything computing a decision boundary can report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BoundaryError {
    /// The grid or the model cannot give a boundary (an empty or oversized grid, too many classes).
    #[error("cannot compute the decision boundary: {0}")]
    BadInput(String),
    /// The model's prediction failed.
    #[error(transparent)]
    Model(#[from] layers::LayerError),
    /// A tensor op failed.
    #[error(transparent)]
    Tensor(#[from] tensor::TensorError),
}

/// Shorthand for results of this crate.
pub type Result<T, E = BoundaryError> = std::result::Result<T, E>;
