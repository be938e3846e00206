//! Choosing an optimizer by name at run time (`--optimizer adam`).

use std::fmt;
use std::str::FromStr;

use tensor::Element;

use crate::error::{OptimError, Result};
use tensor::Rule;

use crate::{Optimizer, RuleOptimizer};

/// The six optimizers of `common/optimizer.py`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptimizerKind {
    /// [`crate::Sgd`].
    Sgd,
    /// [`crate::Momentum`].
    Momentum,
    /// [`crate::Nesterov`].
    Nesterov,
    /// [`crate::AdaGrad`].
    AdaGrad,
    /// [`crate::RmsProp`].
    RmsProp,
    /// [`crate::Adam`].
    Adam,
}

impl OptimizerKind {
    /// Every kind, in the book's order.
    pub const ALL: [OptimizerKind; 6] = [
        OptimizerKind::Sgd,
        OptimizerKind::Momentum,
        OptimizerKind::Nesterov,
        OptimizerKind::AdaGrad,
        OptimizerKind::RmsProp,
        OptimizerKind::Adam,
    ];

    /// The lowercase CLI name.
    pub fn as_str(self) -> &'static str {
        match self {
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::Momentum => "momentum",
            OptimizerKind::Nesterov => "nesterov",
            OptimizerKind::AdaGrad => "adagrad",
            OptimizerKind::RmsProp => "rmsprop",
            OptimizerKind::Adam => "adam",
        }
    }

    /// The book's default learning rate for this optimizer ([`Rule::book_default`]).
    pub fn default_lr(self) -> f64 {
        self.book_rule().lr()
    }

    /// This optimizer's rule with the book's hyper-parameters.
    pub fn book_rule(self) -> Rule {
        Rule::book_default(self.as_str()).expect("every kind has a rule")
    }

    /// This optimizer with learning rate `lr` and the book's other defaults.
    pub fn build<T: Element>(self, lr: f64) -> Result<Box<dyn Optimizer<T>>> {
        Ok(Box::new(RuleOptimizer::new(self.book_rule().with_lr(lr))?))
    }
}

impl fmt::Display for OptimizerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OptimizerKind {
    type Err = OptimError;

    fn from_str(s: &str) -> Result<Self> {
        OptimizerKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| OptimError::UnknownOptimizer(s.to_string()))
    }
}
