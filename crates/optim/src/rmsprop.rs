//! RMSprop (`common/optimizer.py: RMSprop`).

use tensor::ops::update::Rule;
use tensor::{Float, Params, Tensor};

use crate::error::{Result, check_lr, check_rate};
use crate::optimizer::Optimizer;
use crate::state::Slots;

/// `h = decay * h + (1 - decay) * dW * dW; W -= lr * dW / (sqrt(h) + 1e-7)`.
/// Book defaults: `lr = 0.01`, `decay_rate = 0.99`.
#[derive(Debug, Clone)]
pub struct RmsProp<T: Float> {
    lr: f64,
    decay_rate: f64,
    h: Slots<T>,
}

impl<T: Float> RmsProp<T> {
    /// RMSprop with `lr` (finite, > 0) and `decay_rate` in `[0, 1)`.
    pub fn new(lr: f64, decay_rate: f64) -> Result<Self> {
        check_lr("RMSprop", lr)?;
        check_rate("RMSprop", "decay_rate", decay_rate)?;
        Ok(RmsProp {
            lr,
            decay_rate,
            h: Slots::new("h"),
        })
    }
}

impl<T: Float> Default for RmsProp<T> {
    fn default() -> Self {
        Self::new(0.01, 0.99).expect("the book's defaults are valid")
    }
}

impl<T: Float> Optimizer<T> for RmsProp<T> {
    fn name(&self) -> &'static str {
        "RMSprop"
    }

    fn lr(&self) -> f64 {
        self.lr
    }

    fn update(&mut self, params: &mut dyn Params<T>) -> Result<()> {
        let rule = Rule::RmsProp {
            lr: self.lr,
            decay: self.decay_rate,
        };
        self.h.update("RMSprop", params, rule)?;
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
