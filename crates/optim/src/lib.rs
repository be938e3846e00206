//! The book's optimizers (`common/optimizer.py`): [`Sgd`], [`Momentum`], [`Nesterov`], [`AdaGrad`],
//! [`RmsProp`] and [`Adam`], with the book's defaults and order of operations (bit-exact in f64).
//!
//! An optimizer visits a model's `(param, grad)` pairs through [`tensor::Params`]; its per-param
//! state is created on the first update, shaped like the params, and reused afterwards.

pub mod adagrad;
pub mod adam;
pub mod error;
pub mod kind;
pub mod momentum;
pub mod nesterov;
pub mod optimizer;
pub mod rmsprop;
pub mod sgd;
mod state;

pub use adagrad::AdaGrad;
pub use adam::Adam;
pub use error::{OptimError, Result};
pub use kind::OptimizerKind;
pub use momentum::Momentum;
pub use nesterov::Nesterov;
pub use optimizer::Optimizer;
pub use rmsprop::RmsProp;
pub use sgd::Sgd;
