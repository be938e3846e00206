//! The chapter's network (book §1.4.2, `ch01/two_layer_net.py`): Affine → Sigmoid → Affine, with
//! SoftmaxWithLoss on top.
//!
//! The first Affine's bias add runs inside the Sigmoid (`forward_deferring_bias` /
//! `forward_with_bias`): the same numbers as the book's layer-by-layer forward, one pass fewer.

use ndarray::Array2;
use tensor::random::RandomSource;
use tensor::{Device, Element, Labels, Param, Params, Tensor, ops};

use crate::affine::Affine;
use crate::error::{LayerError, Result};
use crate::layer::{Layer, Model, TryClone};
use crate::sigmoid::Sigmoid;
use crate::softmax_with_loss::SoftmaxWithLoss;

/// Largest layer width accepted: far above chapter 1's needs, small enough that a typo cannot ask
/// for terabytes.
pub const MAX_WIDTH: usize = 1 << 16;

/// `TwoLayerNet(input_size, hidden_size, output_size)`.
///
/// Params in the book's order: `W1` (`I x H`), `b1` (`1 x H`), `W2` (`H x O`), `b2` (`1 x O`).
#[derive(Debug)]
pub struct TwoLayerNet<T: Element> {
    /// First affine layer (`W1`, `b1`).
    pub affine1: Affine<T>,
    /// Hidden activation.
    pub sigmoid: Sigmoid<T>,
    /// Second affine layer (`W2`, `b2`).
    pub affine2: Affine<T>,
    /// The loss layer.
    pub loss_layer: SoftmaxWithLoss<T>,
}

impl<T: Element> TwoLayerNet<T> {
    /// The book's init: `W = 0.01 * randn(...)` drawn from `rng` (W1 then W2, row-major), `b = 0`.
    ///
    /// Weights are drawn in `f64` and rounded to `T`, as `astype` would.
    ///
    /// ```
    /// use layers::{Model, TwoLayerNet};
    /// use tensor::random::BookRng;
    /// use tensor::{Device, Labels, Tensor};
    ///
    /// let mut rng = BookRng::new(1984);
    /// let mut net = TwoLayerNet::<f64>::new(2, 10, 3, &mut rng, Device::Cpu)?;
    /// let x = Tensor::from_vec(2, 2, vec![0.5, -0.2, 0.1, 0.9], Device::Cpu)?;
    /// let t = Labels::from_indices(&[0, 2], 3)?;
    /// let loss = net.forward(&x, &t)?;
    /// // Weights of 0.01 * randn give scores near zero: the loss of three equal guesses, ln 3.
    /// assert!((loss - 3f64.ln()).abs() < 0.01);
    /// net.backward()?;
    /// assert_eq!(net.predict(&x)?.shape(), (2, 3));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        input_size: usize,
        hidden_size: usize,
        output_size: usize,
        rng: &mut impl RandomSource,
        device: Device,
    ) -> Result<Self> {
        for (name, value) in [
            ("input_size", input_size),
            ("hidden_size", hidden_size),
            ("output_size", output_size),
        ] {
            if value == 0 || value > MAX_WIDTH {
                return Err(LayerError::InvalidSize {
                    layer: "TwoLayerNet",
                    name,
                    value,
                    expected: "1 to 65536",
                });
            }
        }
        let w1 = 0.01 * rng.randn_matrix(input_size, hidden_size);
        let w2 = 0.01 * rng.randn_matrix(hidden_size, output_size);
        Self::from_params(
            w1.view(),
            Array2::zeros((1, hidden_size)).view(),
            w2.view(),
            Array2::zeros((1, output_size)).view(),
            device,
        )
    }

    /// A network with the given weights (`f64`, rounded to `T`).
    pub fn from_params(
        w1: ndarray::ArrayView2<'_, f64>,
        b1: ndarray::ArrayView2<'_, f64>,
        w2: ndarray::ArrayView2<'_, f64>,
        b2: ndarray::ArrayView2<'_, f64>,
        device: Device,
    ) -> Result<Self> {
        if w1.ncols() != w2.nrows() {
            return Err(tensor::TensorError::ShapeMismatch {
                op: "TwoLayerNet::from_params",
                lhs: w1.dim(),
                rhs: w2.dim(),
            }
            .into());
        }
        let affine1 = Affine::new(Tensor::from_f64(w1, device)?, Tensor::from_f64(b1, device)?)?
            .with_names(["W1", "b1"]);
        let affine2 = Affine::new(Tensor::from_f64(w2, device)?, Tensor::from_f64(b2, device)?)?
            .with_names(["W2", "b2"]);
        Ok(TwoLayerNet {
            affine1,
            sigmoid: Sigmoid::new(),
            affine2,
            loss_layer: SoftmaxWithLoss::new(),
        })
    }

    /// `(input_size, hidden_size, output_size)`.
    pub fn sizes(&self) -> (usize, usize, usize) {
        (
            self.affine1.w.rows(),
            self.affine1.w.cols(),
            self.affine2.w.cols(),
        )
    }

    /// The device the params live on.
    pub fn device(&self) -> Device {
        self.affine1.w.device()
    }

    /// `backward(dout=1)`: fills the grads and returns `dL/dx`.
    pub fn backward_dx(&mut self) -> Result<&Tensor<T>> {
        let dout = self.loss_layer.backward(T::ONE)?;
        let dout = self.affine2.backward(dout)?;
        let dout = self.sigmoid.backward(dout)?;
        self.affine1.backward(dout)
    }
}

impl<T: Element> TryClone for TwoLayerNet<T> {
    fn try_clone(&self) -> Result<Self> {
        let copy = |a: &Affine<T>, names| -> Result<Affine<T>> {
            Ok(Affine::new(a.w.try_clone()?, a.b.try_clone()?)?.with_names(names))
        };
        Ok(TwoLayerNet {
            affine1: copy(&self.affine1, ["W1", "b1"])?,
            sigmoid: Sigmoid::new(),
            affine2: copy(&self.affine2, ["W2", "b2"])?,
            loss_layer: SoftmaxWithLoss::new(),
        })
    }
}

impl<T: Element> Params<T> for TwoLayerNet<T> {
    fn visit_params<'a>(
        &'a mut self,
        f: &mut dyn FnMut(Param<'a, T>) -> tensor::Result<()>,
    ) -> tensor::Result<()> {
        self.affine1.visit_params(f)?;
        self.affine2.visit_params(f)
    }
}

impl<T: Element> Model<T> for TwoLayerNet<T> {
    fn predict(&mut self, x: &Tensor<T>) -> Result<&Tensor<T>> {
        let (h, b1) = self.affine1.forward_deferring_bias(x)?;
        let a = self.sigmoid.forward_with_bias(h, b1)?;
        self.affine2.forward(a)
    }

    fn forward(&mut self, x: &Tensor<T>, t: &Labels) -> Result<T> {
        if x.rows() != t.len() {
            return Err(tensor::TensorError::ShapeMismatch {
                op: "TwoLayerNet::forward (x rows vs labels)",
                lhs: x.shape(),
                rhs: (t.len(), t.classes()),
            }
            .into());
        }
        let (h, b1) = self.affine1.forward_deferring_bias(x)?;
        let a = self.sigmoid.forward_with_bias(h, b1)?;
        let score = self.affine2.forward(a)?;
        self.loss_layer.forward(score, t)
    }

    fn backward(&mut self) -> Result<()> {
        self.backward_dx().map(|_| ())
    }

    /// The fused, vectorized class prediction ([`tensor::ops::classify_two_layer`]).
    fn classify(&mut self, x: &Tensor<T>, out: &mut Vec<usize>) -> Result<()> {
        let (a1, a2) = (&self.affine1, &self.affine2);
        ops::classify_two_layer(x, &a1.w, &a1.b, &a2.w, &a2.b, out)?;
        Ok(())
    }
}
