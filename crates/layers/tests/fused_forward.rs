//! The fused paths of the layers give what the book's layer-by-layer code gives: `Affine` then
//! `Sigmoid` with the bias add moved into the sigmoid, and `SoftmaxWithLoss` whose forward already
//! holds the gradient for `dout = 1`.

use layers::{Affine, Layer, Sigmoid, SoftmaxWithLoss};
use tensor::random::{BookRng, RandomSource};
use tensor::{Device, Labels, Tensor};

fn random(rng: &mut BookRng, r: usize, c: usize) -> Tensor<f64> {
    Tensor::from_f64(rng.randn_matrix(r, c).view(), Device::Cpu).unwrap()
}

/// Two Affine layers with the same random `inputs x outputs` weights and bias, an input of `batch`
/// rows and an upstream gradient for them: `(first, second, x, dout)`.
fn twin_affines(
    seed: u32,
    inputs: usize,
    outputs: usize,
    batch: usize,
) -> (Affine<f64>, Affine<f64>, Tensor<f64>, Tensor<f64>) {
    let mut rng = BookRng::new(seed);
    let (w, b, x) = (
        random(&mut rng, inputs, outputs),
        random(&mut rng, 1, outputs),
        random(&mut rng, batch, inputs),
    );
    let dout = random(&mut rng, batch, outputs);
    let first = Affine::new(w.try_clone().unwrap(), b.try_clone().unwrap()).unwrap();
    (first, Affine::new(w, b).unwrap(), x, dout)
}

/// The two layers hold the same `dW` and `db`, bit for bit.
fn assert_same_gradients(a1: &Affine<f64>, a2: &Affine<f64>) {
    for (g1, g2) in [(&a1.dw, &a2.dw), (&a1.db, &a2.db)] {
        assert_eq!(g1.to_array().unwrap(), g2.to_array().unwrap());
    }
}

#[test]
fn affine_with_its_bias_in_the_sigmoid_equals_the_two_layers() {
    let (mut a1, mut a2, x, dout) = twin_affines(11, 2, 10, 30);
    let (mut s1, mut s2) = (Sigmoid::new(), Sigmoid::new());
    let h = a1.forward(&x).unwrap();
    let apart = s1.forward(h).unwrap().to_array().unwrap();
    let (h, bias) = a2.forward_deferring_bias(&x).unwrap();
    let fused = s2.forward_with_bias(h, bias).unwrap().to_array().unwrap();
    assert_eq!(apart, fused);
    let d1 = s1.backward(&dout).unwrap().try_clone().unwrap();
    let d2 = s2.backward(&dout).unwrap().try_clone().unwrap();
    assert_eq!(d1.to_array().unwrap(), d2.to_array().unwrap());
    let dx1 = a1.backward(&d1).unwrap().to_array().unwrap();
    assert_eq!(dx1, a2.backward(&d2).unwrap().to_array().unwrap());
    assert_same_gradients(&a1, &a2);
}

#[test]
fn the_params_only_backward_gives_the_full_backwards_gradients() {
    let (mut full, mut params_only, x, dout) = twin_affines(13, 300, 20, 40);
    assert!(
        params_only.backward_params(&dout).is_err(),
        "before forward"
    );
    full.forward(&x).unwrap();
    params_only.forward(&x).unwrap();
    full.backward(&dout).unwrap();
    params_only.backward_params(&dout).unwrap();
    assert_same_gradients(&full, &params_only);
    let wrong_rows = Tensor::zeros(41, 20, Device::Cpu).unwrap();
    assert!(params_only.backward_params(&wrong_rows).is_err());
}

#[test]
fn the_loss_gradient_follows_dout_after_the_fused_forward() {
    let mut rng = BookRng::new(12);
    let x = random(&mut rng, 30, 3);
    let labels: Vec<usize> = (0..30).map(|i| i % 3).collect();
    let t = Labels::from_indices(&labels, 3).unwrap();
    let mut layer = SoftmaxWithLoss::new();
    layer.forward(&x, &t).unwrap();
    let unit = layer.backward(1.0).unwrap().to_array().unwrap();
    let half = layer.backward(0.5).unwrap().to_array().unwrap();
    let again = layer.backward(1.0).unwrap().to_array().unwrap();
    let (u, h) = (&unit, &half);
    for (a, b) in u.iter().zip(h.iter()) {
        assert!((a * 0.5 - b).abs() <= 1e-17, "{a} {b}");
    }
    assert_eq!(unit, again);
    assert_ne!(unit, half);
}
