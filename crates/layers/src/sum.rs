//! The Sum node (book §1.3.4.4): sums the rows of an `N x D` input; backward repeats the gradient.

use tensor::{Element, Param, Params, Tensor, ops};

use crate::error::{LayerError, Result};
use crate::layer::Layer;

/// `y = np.sum(x, axis=0, keepdims=True)`; backward `dx = np.repeat(dy, N, axis=0)`.
#[derive(Debug)]
pub struct Sum<T: Element> {
    n: Option<usize>,
    out: Tensor<T>,
    dx: Tensor<T>,
}

impl<T: Element> Default for Sum<T> {
    fn default() -> Self {
        Sum {
            n: None,
            out: Tensor::empty(),
            dx: Tensor::empty(),
        }
    }
}

impl<T: Element> Sum<T> {
    /// A Sum node (no params).
    pub fn new() -> Self {
        Self::default()
    }
}

impl<T: Element> Params<T> for Sum<T> {
    fn visit_params<'a>(
        &'a mut self,
        _: &mut dyn FnMut(Param<'a, T>) -> tensor::Result<()>,
    ) -> tensor::Result<()> {
        Ok(())
    }
}

impl<T: Element> Layer<T> for Sum<T> {
    fn name(&self) -> &'static str {
        "Sum"
    }

    fn forward(&mut self, x: &Tensor<T>) -> Result<&Tensor<T>> {
        ops::sum_rows(x, &mut self.out)?;
        self.n = Some(x.rows());
        Ok(&self.out)
    }

    fn backward(&mut self, dout: &Tensor<T>) -> Result<&Tensor<T>> {
        let n = self
            .n
            .ok_or(LayerError::BackwardBeforeForward { layer: "Sum" })?;
        ops::repeat_rows(dout, n, &mut self.dx)?;
        Ok(&self.dx)
    }
}
