//! The MatMul node (book §1.3.4.5, `common/layers.py: MatMul`): `out = x · W`.

use tensor::{Element, Param, Params, Tensor, ops};

use crate::error::{LayerError, Result};
use crate::layer::Layer;

/// `out = x · W`. Backward: `dx = dout · Wᵀ`, `dW = xᵀ · dout`.
#[derive(Debug)]
pub struct MatMul<T: Element> {
    /// Weights `W` (`I x O`).
    pub w: Tensor<T>,
    /// `dL/dW` from the last backward.
    pub dw: Tensor<T>,
    x: Tensor<T>,
    out: Tensor<T>,
    dx: Tensor<T>,
}

impl<T: Element> MatMul<T> {
    /// A MatMul node with weights `w`.
    pub fn new(w: Tensor<T>) -> Result<Self> {
        Ok(MatMul {
            dw: Tensor::zeros(w.rows(), w.cols(), w.device())?,
            w,
            x: Tensor::empty(),
            out: Tensor::empty(),
            dx: Tensor::empty(),
        })
    }
}

impl<T: Element> Params<T> for MatMul<T> {
    fn visit_params<'a>(
        &'a mut self,
        f: &mut dyn FnMut(Param<'a, T>) -> tensor::Result<()>,
    ) -> tensor::Result<()> {
        f(Param {
            name: "W",
            value: &mut self.w,
            grad: &mut self.dw,
        })
    }
}

impl<T: Element> Layer<T> for MatMul<T> {
    fn name(&self) -> &'static str {
        "MatMul"
    }

    fn forward(&mut self, x: &Tensor<T>) -> Result<&Tensor<T>> {
        ops::matmul(x, false, &self.w, false, &mut self.out)?;
        self.x.copy_from(x)?;
        Ok(&self.out)
    }

    fn backward(&mut self, dout: &Tensor<T>) -> Result<&Tensor<T>> {
        if self.x.is_empty() {
            return Err(LayerError::BackwardBeforeForward { layer: "MatMul" });
        }
        ops::matmul(dout, false, &self.w, true, &mut self.dx)?;
        ops::matmul(&self.x, true, dout, false, &mut self.dw)?;
        Ok(&self.dx)
    }
}
