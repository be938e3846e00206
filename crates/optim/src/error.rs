//! The one error type of the optim crate.

use tensor::TensorError;

/// Everything an optimizer can report.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
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
    #[error("unknown optimizer '{0}' (expected sgd, momentum, nesterov, adagrad, rmsprop or adam)")]
    UnknownOptimizer(String),
    /// A tensor op failed.
    #[error(transparent)]
    Tensor(#[from] TensorError),
}

/// Shorthand for results of this crate.
pub type Result<T, E = OptimError> = std::result::Result<T, E>;

/// Checks `lr` is finite and positive.
pub(crate) fn check_lr(optimizer: &'static str, lr: f64) -> Result<()> {
    check(
        optimizer,
        "lr",
        lr,
        lr.is_finite() && lr > 0.0,
        "a finite number > 0",
    )
}

/// Checks a decay-like rate is in `[0, 1)`.
pub(crate) fn check_rate(optimizer: &'static str, name: &'static str, v: f64) -> Result<()> {
    check(
        optimizer,
        name,
        v,
        (0.0..1.0).contains(&v),
        "a number in [0, 1)",
    )
}

fn check(
    optimizer: &'static str,
    name: &'static str,
    value: f64,
    ok: bool,
    expected: &'static str,
) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(OptimError::InvalidHyperParameter {
            optimizer,
            name,
            value,
            expected,
        })
    }
}
