//! The W3 network: Affine(256, 1024) – Sigmoid – Affine(1024, 1024) – Sigmoid – Affine(1024, 10) –
//! SoftmaxWithLoss, built from the book's layers.

use layers::{Affine, Layer, LayerError, Model, Sigmoid, SoftmaxWithLoss};
use tensor::random::RandomSource;
use tensor::{Device, Element, Labels, Param, Params, Tensor};

/// A three-layer perceptron with sigmoid activations.
pub struct WideMlp<T: Element> {
    a1: Affine<T>,
    s1: Sigmoid<T>,
    a2: Affine<T>,
    s2: Sigmoid<T>,
    a3: Affine<T>,
    loss: SoftmaxWithLoss<T>,
}

impl<T: Element> WideMlp<T> {
    /// Widths `[input, hidden1, hidden2, output]`, weights `0.01 * randn`, biases 0, on `device`.
    pub fn new(
        sizes: [usize; 4],
        rng: &mut impl RandomSource,
        device: Device,
    ) -> Result<Self, LayerError> {
        let mut affine = |i: usize, o: usize| -> Result<Affine<T>, LayerError> {
            let w = Tensor::from_f64((0.01 * rng.randn_matrix(i, o)).view(), device)?;
            Affine::new(w, Tensor::zeros(1, o, device)?)
        };
        Ok(WideMlp {
            a1: affine(sizes[0], sizes[1])?,
            s1: Sigmoid::new(),
            a2: affine(sizes[1], sizes[2])?,
            s2: Sigmoid::new(),
            a3: affine(sizes[2], sizes[3])?,
            loss: SoftmaxWithLoss::new(),
        })
    }
}

impl<T: Element> Params<T> for WideMlp<T> {
    fn visit_params<'a>(
        &'a mut self,
        f: &mut dyn FnMut(Param<'a, T>) -> tensor::Result<()>,
    ) -> tensor::Result<()> {
        self.a1.visit_params(f)?;
        self.a2.visit_params(f)?;
        self.a3.visit_params(f)
    }
}

impl<T: Element> Model<T> for WideMlp<T> {
    fn predict(&mut self, x: &Tensor<T>) -> Result<&Tensor<T>, LayerError> {
        let (h, b) = self.a1.forward_deferring_bias(x)?;
        let h = self.s1.forward_with_bias(h, b)?;
        let (h, b) = self.a2.forward_deferring_bias(h)?;
        let h = self.s2.forward_with_bias(h, b)?;
        self.a3.forward(h)
    }

    fn forward(&mut self, x: &Tensor<T>, t: &Labels) -> Result<T, LayerError> {
        let (h, b) = self.a1.forward_deferring_bias(x)?;
        let h = self.s1.forward_with_bias(h, b)?;
        let (h, b) = self.a2.forward_deferring_bias(h)?;
        let h = self.s2.forward_with_bias(h, b)?;
        let s = self.a3.forward(h)?;
        self.loss.forward(s, t)
    }

    fn backward(&mut self) -> Result<(), LayerError> {
        let d = self.loss.backward(T::ONE)?;
        let d = self.a3.backward(d)?;
        let d = self.s2.backward(d)?;
        let d = self.a2.backward(d)?;
        let d = self.s1.backward(d)?;
        // The data needs no gradient (JAX's `grad` with respect to the params skips it too).
        self.a1.backward_params(d)?;
        Ok(())
    }
}
