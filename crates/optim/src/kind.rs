//! Choosing an optimizer by name at run time (`--optimizer adam`): the names are the rules' own
//! ([`tensor::rule::OptimizerKind`], re-exported).

use tensor::Element;
pub use tensor::rule::{OptimizerKind, UnknownRule};

use crate::error::Result;
use crate::optimizer::Optimizer;
use crate::rule_optimizer::RuleOptimizer;

/// The optimizer `kind` with learning rate `lr` and the book's other defaults.
///
/// ```
/// use optim::OptimizerKind;
///
/// let kind: OptimizerKind = "adam".parse()?;
/// let adam = optim::build::<f64>(kind, 0.1)?;
/// assert_eq!(adam.name(), "Adam");
/// // A learning rate no optimizer can use is a typed error, not a panic.
/// assert!(optim::build::<f32>(OptimizerKind::Sgd, -1.0).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn build<T: Element>(kind: OptimizerKind, lr: f64) -> Result<Box<dyn Optimizer<T>>> {
    Ok(Box::new(RuleOptimizer::new(
        kind.book_default().with_lr(lr),
    )?))
}
