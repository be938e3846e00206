//! The Repeat node (book §1.3.4.3): copies a `1 x D` row `N` times; backward sums the copies.

use tensor::{Element, Param, Params, Tensor, ops};

use crate::error::{LayerError, Result};
use crate::layer::Layer;

/// `y = np.repeat(x, N, axis=0)` for `x` of shape `1 x D`; backward `dx = sum(dy, axis=0)`.
#[derive(Debug)]
pub struct Repeat<T: Element> {
    n: usize,
    out: Tensor<T>,
    dx: Tensor<T>,
}

impl<T: Element> Repeat<T> {
    /// Repeats its input `n` times.
    pub fn new(n: usize) -> Self {
        Repeat {
            n,
            out: Tensor::empty(),
            dx: Tensor::empty(),
        }
    }
}

impl<T: Element> Params<T> for Repeat<T> {
    fn visit_params<'a>(
        &'a mut self,
        _: &mut dyn FnMut(Param<'a, T>) -> tensor::Result<()>,
    ) -> tensor::Result<()> {
        Ok(())
    }
}

impl<T: Element> Layer<T> for Repeat<T> {
    fn name(&self) -> &'static str {
        "Repeat"
    }

    fn forward(&mut self, x: &Tensor<T>) -> Result<&Tensor<T>> {
        ops::repeat_rows(x, self.n, &mut self.out)?;
        Ok(&self.out)
    }

    fn backward(&mut self, dout: &Tensor<T>) -> Result<&Tensor<T>> {
        if self.out.is_empty() && self.n > 0 {
            return Err(LayerError::BackwardBeforeForward { layer: "Repeat" });
        }
        ops::sum_rows(dout, &mut self.dx)?;
        Ok(&self.dx)
    }
}
