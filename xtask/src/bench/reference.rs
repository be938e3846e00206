//! The straightforward ndarray code a user would write first, for W1 and W3: the baseline every
//! speed-up is measured against, in the same process and run.

use ndarray::{Array2, Axis, LinalgScalar, ScalarOperand};

/// What the reference needs of an element type.
pub trait RefFloat: LinalgScalar + ScalarOperand + tensor::Element {}
impl<T: LinalgScalar + ScalarOperand + tensor::Element> RefFloat for T {}

/// A plain multi-layer perceptron: `Affine – Sigmoid – ... – Affine – SoftmaxWithLoss`, written
/// with ndarray operators (a fresh array per operation).
pub struct RefMlp<T> {
    /// `(W, b)` per affine layer.
    pub layers: Vec<(Array2<T>, Array2<T>)>,
}

impl<T: RefFloat> RefMlp<T> {
    /// From `(W, b)` pairs.
    pub fn new(layers: Vec<(Array2<T>, Array2<T>)>) -> Self {
        RefMlp { layers }
    }

    /// One SGD step on `(x, t)`; returns the loss.
    pub fn step(&mut self, x: &Array2<T>, t: &[usize], lr: T) -> T {
        let n = x.nrows();
        let mut inputs = vec![x.clone()];
        let last = self.layers.len() - 1;
        for (i, (w, b)) in self.layers.iter().enumerate() {
            let z = inputs[i].dot(w) + b;
            let out = if i < last {
                z.mapv(|v| T::ONE / (T::ONE + (-v).exp()))
            } else {
                z
            };
            inputs.push(out);
        }
        let scores = inputs.pop().unwrap();
        let max = scores.map_axis(Axis(1), |r| r.fold(r[0], |m, &v| if v > m { v } else { m }));
        let e = (&scores - &max.insert_axis(Axis(1))).mapv(|v| v.exp());
        let s = e.sum_axis(Axis(1)).insert_axis(Axis(1));
        let y = &e / &s;
        let nf = T::from_f64(n as f64);
        let loss = -t
            .iter()
            .enumerate()
            .map(|(i, &c)| (y[[i, c]] + T::from_f64(1e-7)).ln())
            .fold(T::ZERO, |a, v| a + v)
            / nf;
        let mut dout = y;
        for (i, &c) in t.iter().enumerate() {
            dout[[i, c]] -= T::ONE;
        }
        dout /= nf;
        for i in (0..self.layers.len()).rev() {
            let input = &inputs[i];
            let (w, b) = &mut self.layers[i];
            let dw = input.t().dot(&dout);
            let db = dout.sum_axis(Axis(0)).insert_axis(Axis(0));
            // The data's gradient (layer 0's dx) is never used: skipped, as in dlfs2's W3.
            let dx = (i > 0).then(|| dout.dot(&w.t()));
            *w = &*w - &(dw * lr);
            *b = &*b - &(db * lr);
            if let Some(dx) = dx {
                let a = &inputs[i];
                dout = dx * &a.mapv(|v| T::ONE - v) * a;
            }
        }
        loss
    }
}
