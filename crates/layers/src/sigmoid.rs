//! The sigmoid layer (book §1.3.5.1, `common/layers.py: Sigmoid`): `out = 1 / (1 + exp(-x))`.

use tensor::{Element, Param, Params, Tensor, ops};

use crate::error::{LayerError, Result};
use crate::layer::Layer;

/// `out = 1 / (1 + exp(-x))`; backward `dx = dout * (1 - out) * out`.
#[derive(Debug)]
pub struct Sigmoid<T: Element> {
    out: Tensor<T>,
    dx: Tensor<T>,
}

impl<T: Element> Default for Sigmoid<T> {
    fn default() -> Self {
        Sigmoid {
            out: Tensor::empty(),
            dx: Tensor::empty(),
        }
    }
}

impl<T: Element> Sigmoid<T> {
    /// A sigmoid layer (no params).
    pub fn new() -> Self {
        Self::default()
    }

    /// `forward(x + b)`, the bias add of the `Affine` before this layer done in the same pass (see
    /// [`crate::Affine::forward_deferring_bias`]); bit for bit what the two layers compute apart.
    pub fn forward_with_bias(&mut self, x: &Tensor<T>, b: &Tensor<T>) -> Result<&Tensor<T>> {
        ops::add_row_sigmoid(x, b, &mut self.out)?;
        Ok(&self.out)
    }
}

impl<T: Element> Params<T> for Sigmoid<T> {
    fn visit_params<'a>(
        &'a mut self,
        _: &mut dyn FnMut(Param<'a, T>) -> tensor::Result<()>,
    ) -> tensor::Result<()> {
        Ok(())
    }
}

impl<T: Element> Layer<T> for Sigmoid<T> {
    fn name(&self) -> &'static str {
        "Sigmoid"
    }

    fn forward(&mut self, x: &Tensor<T>) -> Result<&Tensor<T>> {
        ops::sigmoid(x, &mut self.out)?;
        Ok(&self.out)
    }

    fn backward(&mut self, dout: &Tensor<T>) -> Result<&Tensor<T>> {
        if self.out.is_empty() {
            return Err(LayerError::BackwardBeforeForward { layer: "Sigmoid" });
        }
        ops::sigmoid_backward(dout, &self.out, &mut self.dx)?;
        Ok(&self.dx)
    }
}
