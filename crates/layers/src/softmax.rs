//! The softmax layer (book §1.3.1, `common/layers.py: Softmax`), row-wise.

use tensor::{Element, Param, Params, Tensor, ops};

use crate::error::{LayerError, Result};
use crate::layer::Layer;

/// `out = softmax(x)` per row; backward `dx = out * dout - out * sum(out * dout, axis=1)`.
#[derive(Debug)]
pub struct Softmax<T: Element> {
    out: Tensor<T>,
    dx: Tensor<T>,
}

impl<T: Element> Default for Softmax<T> {
    fn default() -> Self {
        Softmax {
            out: Tensor::empty(),
            dx: Tensor::empty(),
        }
    }
}

impl<T: Element> Softmax<T> {
    /// A softmax layer (no params).
    pub fn new() -> Self {
        Self::default()
    }
}

impl<T: Element> Params<T> for Softmax<T> {
    fn visit_params<'a>(
        &'a mut self,
        _: &mut dyn FnMut(Param<'a, T>) -> tensor::Result<()>,
    ) -> tensor::Result<()> {
        Ok(())
    }
}

impl<T: Element> Layer<T> for Softmax<T> {
    fn name(&self) -> &'static str {
        "Softmax"
    }

    fn forward(&mut self, x: &Tensor<T>) -> Result<&Tensor<T>> {
        ops::softmax(x, &mut self.out)?;
        Ok(&self.out)
    }

    fn backward(&mut self, dout: &Tensor<T>) -> Result<&Tensor<T>> {
        if self.out.is_empty() {
            return Err(LayerError::BackwardBeforeForward { layer: "Softmax" });
        }
        ops::softmax_backward(&self.out, dout, &mut self.dx)?;
        Ok(&self.dx)
    }
}
