//! Nesterov's accelerated gradient (`common/optimizer.py: Nesterov`, after arXiv:1212.0901).

use tensor::ops::update::Rule;
use tensor::{Float, Params, Tensor};

use crate::error::{Result, check_lr, check_rate};
use crate::optimizer::Optimizer;
use crate::state::Slots;

/// `v = m * v - lr * dW; W += m * m * v - (1 + m) * lr * dW` (in the book's order of operations). Book defaults: `lr = 0.01`, `momentum = 0.9`.
#[derive(Debug, Clone)]
pub struct Nesterov<T: Float> {
    lr: f64,
    momentum: f64,
    v: Slots<T>,
}

impl<T: Float> Nesterov<T> {
    /// Nesterov with `lr` (finite, > 0) and `momentum` in `[0, 1)`.
    pub fn new(lr: f64, momentum: f64) -> Result<Self> {
        check_lr("Nesterov", lr)?;
        check_rate("Nesterov", "momentum", momentum)?;
        Ok(Nesterov {
            lr,
            momentum,
            v: Slots::new("v"),
        })
    }
}

impl<T: Float> Default for Nesterov<T> {
    fn default() -> Self {
        Self::new(0.01, 0.9).expect("the book's defaults are valid")
    }
}

impl<T: Float> Optimizer<T> for Nesterov<T> {
    fn name(&self) -> &'static str {
        "Nesterov"
    }

    fn lr(&self) -> f64 {
        self.lr
    }

    fn update(&mut self, params: &mut dyn Params<T>) -> Result<()> {
        let rule = Rule::Nesterov {
            lr: self.lr,
            momentum: self.momentum,
        };
        self.v.update("Nesterov", params, rule)?;
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
