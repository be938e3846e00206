//! Choosing an optimizer by name at run time (`--optimizer adam`).

use std::fmt;
use std::str::FromStr;

use tensor::Float;

use crate::error::{OptimError, Result};
use crate::{AdaGrad, Adam, Momentum, Nesterov, Optimizer, RmsProp, Sgd};

/// The six optimizers of `common/optimizer.py`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptimizerKind {
    /// [`Sgd`].
    Sgd,
    /// [`Momentum`].
    Momentum,
    /// [`Nesterov`].
    Nesterov,
    /// [`AdaGrad`].
    AdaGrad,
    /// [`RmsProp`].
    RmsProp,
    /// [`Adam`].
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

    /// The book's default learning rate for this optimizer.
    pub fn default_lr(self) -> f64 {
        match self {
            OptimizerKind::Adam => 0.001,
            _ => 0.01,
        }
    }

    /// This optimizer with learning rate `lr` and the book's other defaults.
    pub fn build<T: Float>(self, lr: f64) -> Result<Box<dyn Optimizer<T>>> {
        Ok(match self {
            OptimizerKind::Sgd => Box::new(Sgd::new(lr)?),
            OptimizerKind::Momentum => Box::new(Momentum::<T>::new(lr, 0.9)?),
            OptimizerKind::Nesterov => Box::new(Nesterov::<T>::new(lr, 0.9)?),
            OptimizerKind::AdaGrad => Box::new(AdaGrad::<T>::new(lr)?),
            OptimizerKind::RmsProp => Box::new(RmsProp::<T>::new(lr, 0.99)?),
            OptimizerKind::Adam => Box::new(Adam::<T>::new(lr, 0.9, 0.999)?),
        })
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
