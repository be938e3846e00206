//! The one error type of the train crate.

use layers::LayerError;
use optim::OptimError;
use tensor::TensorError;

/// Everything training can report.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrainError {
    /// A fit setting is invalid.
    #[error("invalid {name} = {value}: {expected}")]
    InvalidConfig {
        /// The setting.
        name: &'static str,
        /// Its value, as given.
        value: String,
        /// What is accepted.
        expected: String,
    },
    /// The training data is unusable.
    #[error("bad training data: {0}")]
    BadData(String),
    /// The loss or a gradient stopped being finite: training diverged. The params are those of the
    /// last finite step.
    #[error(
        "training diverged at epoch {epoch}, iter {iter}: {what} is not finite (try a smaller learning rate or --max-grad)"
    )]
    Diverged {
        /// Epoch (1-based, as printed).
        epoch: usize,
        /// Iteration within the epoch (1-based, as printed).
        iter: usize,
        /// `"loss"` or the name of the first non-finite gradient.
        what: String,
    },
    /// A layer failed.
    #[error(transparent)]
    Layer(#[from] LayerError),
    /// An optimizer failed.
    #[error(transparent)]
    Optim(#[from] OptimError),
    /// A tensor op failed.
    #[error(transparent)]
    Tensor(#[from] TensorError),
}

/// Shorthand for results of this crate.
pub type Result<T, E = TrainError> = std::result::Result<T, E>;
