//! Momentum SGD (`common/optimizer.py: Momentum`).

use tensor::ops::update::Rule;
use tensor::{Float, Params, Tensor};

use crate::error::{Result, check_lr, check_rate};
use crate::optimizer::Optimizer;
use crate::state::Slots;

/// `v = momentum * v - lr * dW; W += v`. Book defaults: `lr = 0.01`, `momentum = 0.9`.
#[derive(Debug, Clone)]
pub struct Momentum<T: Float> {
    lr: f64,
    momentum: f64,
    v: Slots<T>,
}

impl<T: Float> Momentum<T> {
    /// Momentum with `lr` (finite, > 0) and `momentum` in `[0, 1)`.
    pub fn new(lr: f64, momentum: f64) -> Result<Self> {
        check_lr("Momentum", lr)?;
        check_rate("Momentum", "momentum", momentum)?;
        Ok(Momentum {
            lr,
            momentum,
            v: Slots::new("v"),
        })
    }
}

impl<T: Float> Default for Momentum<T> {
    fn default() -> Self {
        Self::new(0.01, 0.9).expect("the book's defaults are valid")
    }
}

impl<T: Float> Optimizer<T> for Momentum<T> {
    fn name(&self) -> &'static str {
        "Momentum"
    }

    fn lr(&self) -> f64 {
        self.lr
    }

    fn update(&mut self, params: &mut dyn Params<T>) -> Result<()> {
        let rule = Rule::Momentum {
            lr: self.lr,
            momentum: self.momentum,
        };
        self.v.update("Momentum", params, rule)?;
        Ok(())
    }

    fn state(&self) -> Vec<(String, &Tensor<T>)> {
        self.v.named()
    }

    fn load_state(&mut self, mut state: Vec<(String, Tensor<T>)>, _: u64) -> Result<()> {
        self.v.restore(&mut state);
        Ok(())
    }
}
