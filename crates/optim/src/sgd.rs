//! Stochastic gradient descent (book §1.4.3, `common/optimizer.py: SGD`).

use tensor::ops::update::Rule;
use tensor::{Float, Params, Tensor, ops};

use crate::error::{Result, check_lr};
use crate::optimizer::Optimizer;

/// `W -= lr * dW`. The book's default `lr` is 0.01; ch01 trains with `lr = 1.0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sgd {
    lr: f64,
}

impl Sgd {
    /// SGD with learning rate `lr` (finite, > 0).
    pub fn new(lr: f64) -> Result<Self> {
        check_lr("SGD", lr)?;
        Ok(Sgd { lr })
    }
}

impl Default for Sgd {
    fn default() -> Self {
        Sgd { lr: 0.01 }
    }
}

impl<T: Float> Optimizer<T> for Sgd {
    fn name(&self) -> &'static str {
        "SGD"
    }

    fn lr(&self) -> f64 {
        self.lr
    }

    fn update(&mut self, params: &mut dyn Params<T>) -> Result<()> {
        ops::update::update_params(Rule::Sgd { lr: self.lr }, params, &mut [])?;
        Ok(())
    }

    fn state(&self) -> Vec<(String, &Tensor<T>)> {
        Vec::new()
    }

    fn load_state(&mut self, _: Vec<(String, Tensor<T>)>, _: u64) -> Result<()> {
        Ok(())
    }
}
