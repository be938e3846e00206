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

/// A learning rate at which `kind` trains the chapter's network on the spiral (300 epochs, batch
/// 30, 10 hidden units, seed 1984) to at least 0.95 training accuracy: the middle of the range
/// that does, measured with `cargo xtask compare --lrs 0.003,0.01,0.03,0.1,0.3,1` (BENCHMARKS.md
/// has the sweep). The book's class defaults (0.01, Adam 0.001) leave every optimizer but
/// RMSprop below 0.6 on this network, which is why `compare` and the playground start from these.
pub fn working_lr(kind: OptimizerKind) -> f64 {
    match kind {
        OptimizerKind::Sgd => 1.0,
        OptimizerKind::Momentum | OptimizerKind::Nesterov => 0.3,
        OptimizerKind::AdaGrad => 1.0,
        OptimizerKind::RmsProp | OptimizerKind::Adam => 0.03,
    }
}
