//! The book's optimizers (`common/optimizer.py`): [`Sgd`], [`Momentum`], [`Nesterov`], [`AdaGrad`],
//! [`RmsProp`] and [`Adam`], with the book's defaults and order of operations (bit-exact in f64).
//!
//! Each update rule is written once, in [`tensor::rule`] (formula, defaults, element function);
//! this crate adds what an optimizer keeps between steps: one generic body, [`RuleOptimizer`],
//! holds the rule, its per-param state (created on the first update, shaped like the params) and
//! the update count. The book's classes are thin names over it ([`optimizers`]), and
//! [`build`] makes one from its [`OptimizerKind`] (a name) at run time.

pub mod error;
pub mod kind;
pub mod optimizer;
pub mod optimizers;
pub mod rule_optimizer;
mod state;

pub use error::{OptimError, Result};
pub use kind::{OptimizerKind, UnknownRule, build, working_lr};
pub use optimizer::Optimizer;
pub use optimizers::{AdaGrad, Adam, Momentum, Nesterov, RmsProp, Sgd};
pub use rule_optimizer::RuleOptimizer;
pub use tensor::Rule;
