//! The fully connected layer (book §1.2.2 and §1.3.5.2, `common/layers.py: Affine`): `out = x · W + b`.

use tensor::{Element, Param, Params, Tensor, ops};

use crate::error::{LayerError, Result};
use crate::layer::Layer;

/// `out = x · W + b`. Shapes: `x` is `N x I`, `W` is `I x O`, `b` is `1 x O`, `out` is `N x O`.
///
/// Backward: `dx = dout · Wᵀ`, `dW = xᵀ · dout`, `db = sum(dout, axis=0)`.
#[derive(Debug)]
pub struct Affine<T: Element> {
    /// Weights `W` (`I x O`).
    pub w: Tensor<T>,
    /// Bias `b` (`1 x O`).
    pub b: Tensor<T>,
    /// `dL/dW` from the last backward.
    pub dw: Tensor<T>,
    /// `dL/db` from the last backward.
    pub db: Tensor<T>,
    x: Tensor<T>,
    out: Tensor<T>,
    dx: Tensor<T>,
    names: [&'static str; 2],
}

impl<T: Element> Affine<T> {
    /// An affine layer with the given weights (`I x O`) and bias (`1 x O`).
    pub fn new(w: Tensor<T>, b: Tensor<T>) -> Result<Self> {
        if b.rows() != 1 || b.cols() != w.cols() {
            return Err(tensor::TensorError::ShapeMismatch {
                op: "Affine::new",
                lhs: w.shape(),
                rhs: b.shape(),
            }
            .into());
        }
        let device = w.device();
        Ok(Affine {
            dw: Tensor::zeros(w.rows(), w.cols(), device)?,
            db: Tensor::zeros(1, w.cols(), device)?,
            w,
            b,
            x: Tensor::empty(),
            out: Tensor::empty(),
            dx: Tensor::empty(),
            names: ["W", "b"],
        })
    }

    /// Names the params in checkpoints and messages (`["W1", "b1"]` in `TwoLayerNet`).
    pub fn with_names(mut self, names: [&'static str; 2]) -> Self {
        self.names = names;
        self
    }
}

impl<T: Element> Affine<T> {
    /// The forward pass without the bias add: returns `(x · W, b)` for a next layer that adds `b`
    /// itself ([`crate::Sigmoid::forward_with_bias`]), which saves a pass over the output (and a
    /// kernel launch on a GPU). `backward` is the same either way: it never reads the output.
    pub fn forward_deferring_bias(&mut self, x: &Tensor<T>) -> Result<(&Tensor<T>, &Tensor<T>)> {
        ops::matmul(x, false, &self.w, false, &mut self.out)?;
        self.x.copy_from(x)?;
        Ok((&self.out, &self.b))
    }
}

impl<T: Element> Affine<T> {
    /// The backward pass without `dx`: `dW` and `db` only, the same values as
    /// [`Layer::backward`]'s. For a network's first layer, whose input (the data) needs no
    /// gradient: `dx = dout · Wᵀ` costs as much as `dW`, and autodiff frameworks skip it too.
    pub fn backward_params(&mut self, dout: &Tensor<T>) -> Result<()> {
        if self.x.is_empty() {
            return Err(LayerError::BackwardBeforeForward { layer: "Affine" });
        }
        if dout.shape() != self.out.shape() {
            return Err(tensor::TensorError::ShapeMismatch {
                op: "Affine::backward",
                lhs: self.out.shape(),
                rhs: dout.shape(),
            }
            .into());
        }
        ops::matmul(&self.x, true, dout, false, &mut self.dw)?;
        ops::sum_rows(dout, &mut self.db)?;
        Ok(())
    }
}

impl<T: Element> Params<T> for Affine<T> {
    fn visit_params<'a>(
        &'a mut self,
        f: &mut dyn FnMut(Param<'a, T>) -> tensor::Result<()>,
    ) -> tensor::Result<()> {
        f(Param {
            name: self.names[0],
            value: &mut self.w,
            grad: &mut self.dw,
        })?;
        f(Param {
            name: self.names[1],
            value: &mut self.b,
            grad: &mut self.db,
        })
    }
}

impl<T: Element> Layer<T> for Affine<T> {
    fn name(&self) -> &'static str {
        "Affine"
    }

    fn forward(&mut self, x: &Tensor<T>) -> Result<&Tensor<T>> {
        self.forward_deferring_bias(x)?;
        ops::add_row(&mut self.out, &self.b)?;
        Ok(&self.out)
    }

    fn backward(&mut self, dout: &Tensor<T>) -> Result<&Tensor<T>> {
        self.backward_params(dout)?;
        ops::matmul(dout, false, &self.w, true, &mut self.dx)?;
        Ok(&self.dx)
    }
}
