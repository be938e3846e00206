//! The one error type of the optim crate.

use tensor::TensorError;

/// Everything an optimizer can report.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OptimError {
    /// A hyper-parameter is out of its valid range.
    #[error("invalid {optimizer} hyper-parameter {name} = {value}: expected {expected}")]
    InvalidHyperParameter {
        /// The optimizer.
        optimizer: &'static str,
        /// The hyper-parameter.
        name: &'static str,
        /// The value given.
        value: f64,
        /// The valid range.
        expected: &'static str,
    },
    /// An unknown optimizer name.
    #[error(transparent)]
    UnknownOptimizer(#[from] tensor::rule::UnknownRule),
    /// An optimizer's state does not fit the model it is asked to update (another param name,
    /// shape or device than on the first update).
    #[error("{optimizer}: its state {state} does not fit param {param}")]
    StateMismatch {
        /// The optimizer.
        optimizer: &'static str,
        /// The state tensor, with its shape and device.
        state: String,
        /// The param, with its shape and device.
        param: String,
    },
    /// Saved optimizer state holds an entry this optimizer does not keep.
    #[error("{optimizer} keeps no state named '{name}'")]
    UnknownState {
        /// The optimizer.
        optimizer: &'static str,
        /// The entry's name.
        name: String,
    },
    /// A tensor op failed.
    #[error(transparent)]
    Tensor(#[from] TensorError),
}

/// Shorthand for results of this crate.
pub type Result<T, E = OptimError> = std::result::Result<T, E>;
