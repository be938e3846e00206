//! Softmax with cross-entropy loss (book §1.3.5.3, the loss of §1.3.1; `common/layers.py: SoftmaxWithLoss`).

use tensor::{Element, Labels, Tensor, ops};

use crate::error::{LayerError, Result};

/// `loss = -sum(log(softmax(x)[n, t_n] + 1e-7)) / N`; backward `dx = (y - onehot(t)) * dout / N`.
///
/// Labels may be one-hot or class indices: both become [`Labels`] (checked) before they get here.
#[derive(Debug)]
pub struct SoftmaxWithLoss<T: Element> {
    y: Tensor<T>,
    t: Labels,
    dx: Tensor<T>,
    /// Whether `dx` holds the gradient for `dout = 1` of the last forward.
    dx_is_unit: bool,
}

impl<T: Element> Default for SoftmaxWithLoss<T> {
    fn default() -> Self {
        SoftmaxWithLoss {
            y: Tensor::empty(),
            t: Labels::with_classes(0),
            dx: Tensor::empty(),
            dx_is_unit: false,
        }
    }
}

impl<T: Element> SoftmaxWithLoss<T> {
    /// A loss layer (no params).
    pub fn new() -> Self {
        Self::default()
    }

    /// The loss of scores `x` (`N x C`) for labels `t`; remembers the softmax and labels.
    ///
    /// The gradient for `dout = 1` (a final loss, the usual case) is computed in the same pass,
    /// so `backward(1)` has nothing left to do (one kernel launch fewer per step on a GPU).
    pub fn forward(&mut self, x: &Tensor<T>, t: &Labels) -> Result<T> {
        self.dx_is_unit = false;
        let loss = ops::softmax_cross_entropy_with_grad(x, t, &mut self.y, &mut self.dx)?;
        self.t.copy_from(t);
        self.dx_is_unit = true;
        Ok(loss)
    }

    /// The gradient w.r.t. the scores; `dout` is 1 for a final loss.
    pub fn backward(&mut self, dout: T) -> Result<&Tensor<T>> {
        if self.t.is_empty() {
            return Err(LayerError::BackwardBeforeForward {
                layer: "SoftmaxWithLoss",
            });
        }
        if !(self.dx_is_unit && dout == T::ONE) {
            ops::softmax_cross_entropy_backward(&self.y, &self.t, dout, &mut self.dx)?;
            self.dx_is_unit = dout == T::ONE;
        }
        Ok(&self.dx)
    }

    /// The softmax probabilities of the last forward.
    pub fn probabilities(&self) -> &Tensor<T> {
        &self.y
    }
}
