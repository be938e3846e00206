//! AdaGrad (`common/optimizer.py: AdaGrad`).

use tensor::ops::update::Rule;
use tensor::{Float, Params, Tensor};

use crate::error::{Result, check_lr};
use crate::optimizer::Optimizer;
use crate::state::Slots;

/// `h += dW * dW; W -= lr * dW / (sqrt(h) + 1e-7)`. Book default: `lr = 0.01`.
#[derive(Debug, Clone)]
pub struct AdaGrad<T: Float> {
    lr: f64,
    h: Slots<T>,
}

impl<T: Float> AdaGrad<T> {
    /// AdaGrad with `lr` (finite, > 0).
    pub fn new(lr: f64) -> Result<Self> {
        check_lr("AdaGrad", lr)?;
        Ok(AdaGrad {
            lr,
            h: Slots::new("h"),
        })
    }
}

impl<T: Float> Default for AdaGrad<T> {
    fn default() -> Self {
        Self::new(0.01).expect("the book's default is valid")
    }
}

impl<T: Float> Optimizer<T> for AdaGrad<T> {
    fn name(&self) -> &'static str {
        "AdaGrad"
    }

    fn lr(&self) -> f64 {
        self.lr
    }

    fn update(&mut self, params: &mut dyn Params<T>) -> Result<()> {
        self.h
            .update("AdaGrad", params, Rule::AdaGrad { lr: self.lr })?;
        Ok(())
    }

    fn state(&self) -> Vec<(String, &Tensor<T>)> {
        self.h.named()
    }

    fn load_state(&mut self, mut state: Vec<(String, Tensor<T>)>, _: u64) -> Result<()> {
        self.h.restore(&mut state);
        Ok(())
    }
}
