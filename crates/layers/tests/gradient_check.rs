//! Numerical gradient checks (central differences, f64) for every layer and for `TwoLayerNet`.
//!
//! For a layer `y = f(x; params)` the scalar probe is `L = sum(y * R)` with a fixed random `R`, so
//! `dL/dy = R`; `backward(R)` must then agree with `(L(v + h) - L(v - h)) / 2h` for every element
//! `v` of the input and of every param, within `1e-7 + 1e-5 * |numerical|`. Every check runs on
//! every device (`testkit::device_tests!`): on a GPU machine the GPU's backward passes are checked
//! against central differences too.

use layers::{
    Affine, Layer, MatMul, Model, Params, Repeat, Sigmoid, Softmax, SoftmaxWithLoss, Sum,
    TwoLayerNet,
};
use ndarray::Array2;
use tensor::random::{BookRng, RandomSource};
use tensor::{Device, Labels, Tensor};
use testkit::assert_close;

const H: f64 = 1e-6;
const ATOL: f64 = 1e-7;
const RTOL: f64 = 1e-5;

type Make<'a> = dyn Fn(&[Array2<f64>]) -> Box<dyn Layer<f64>> + 'a;

fn t(a: &Array2<f64>, device: Device) -> Tensor<f64> {
    Tensor::from_f64(a.view(), device).unwrap()
}

fn probe(
    make: &Make<'_>,
    params: &[Array2<f64>],
    x: &Array2<f64>,
    r: &Array2<f64>,
    device: Device,
) -> f64 {
    let mut layer = make(params);
    let y = layer.forward(&t(x, device)).unwrap().to_array().unwrap();
    (&y * r).sum()
}

fn numerical(f: impl Fn(&Array2<f64>) -> f64, at: &Array2<f64>) -> Array2<f64> {
    let mut grad = Array2::zeros(at.dim());
    for (idx, g) in grad.indexed_iter_mut() {
        let mut plus = at.clone();
        plus[idx] += H;
        let mut minus = at.clone();
        minus[idx] -= H;
        *g = (f(&plus) - f(&minus)) / (2.0 * H);
    }
    grad
}

fn check(
    name: &str,
    device: Device,
    make: &Make<'_>,
    params: Vec<Array2<f64>>,
    x: Array2<f64>,
    out_shape: (usize, usize),
) {
    let mut rng = BookRng::new(7);
    let r = rng.randn_matrix(out_shape.0, out_shape.1);
    let mut layer = make(&params);
    let y = layer.forward(&t(&x, device)).unwrap();
    assert_eq!(y.shape(), out_shape, "{name}: output shape");
    assert_eq!(y.device(), device, "{name}: output device");
    let dx = layer.backward(&t(&r, device)).unwrap().to_array().unwrap();
    let num_dx = numerical(|xp| probe(make, &params, xp, &r, device), &x);
    assert_close(&format!("{name} dx"), dx.view(), num_dx.view(), ATOL, RTOL);
    let mut grads = Vec::new();
    layer
        .visit_params(&mut |p| {
            grads.push(p.grad.to_array().unwrap());
            Ok(())
        })
        .unwrap();
    assert_eq!(grads.len(), params.len(), "{name}: param count");
    for (k, g) in grads.iter().enumerate() {
        let num = numerical(
            |pk| {
                let mut ps = params.clone();
                ps[k] = pk.clone();
                probe(make, &ps, &x, &r, device)
            },
            &params[k],
        );
        assert_close(
            &format!("{name} dparam{k}"),
            g.view(),
            num.view(),
            ATOL,
            RTOL,
        );
    }
}

fn randn(rng: &mut BookRng, r: usize, c: usize) -> Array2<f64> {
    rng.randn_matrix(r, c)
}

testkit::device_tests! {
fn matmul_gradients(device) {
    let mut rng = BookRng::new(1);
    let w = randn(&mut rng, 3, 4);
    let x = randn(&mut rng, 5, 3);
    check(
        "MatMul",
        device,
        &|p| Box::new(MatMul::new(t(&p[0], device)).unwrap()),
        vec![w],
        x,
        (5, 4),
    );
}

fn affine_gradients(device) {
    let mut rng = BookRng::new(2);
    let w = randn(&mut rng, 3, 4);
    let b = randn(&mut rng, 1, 4);
    let x = randn(&mut rng, 6, 3);
    check(
        "Affine",
        device,
        &|p| Box::new(Affine::new(t(&p[0], device), t(&p[1], device)).unwrap()),
        vec![w, b],
        x,
        (6, 4),
    );
}

fn sigmoid_gradients(device) {
    let x = randn(&mut BookRng::new(3), 4, 5) * 3.0;
    check("Sigmoid", device, &|_| Box::new(Sigmoid::new()), vec![], x, (4, 5));
}

fn softmax_gradients(device) {
    let x = randn(&mut BookRng::new(4), 4, 3) * 2.0;
    check("Softmax", device, &|_| Box::new(Softmax::new()), vec![], x, (4, 3));
}

fn repeat_and_sum_gradients(device) {
    let mut rng = BookRng::new(5);
    let row = randn(&mut rng, 1, 4);
    check("Repeat", device, &|_| Box::new(Repeat::new(7)), vec![], row, (7, 4));
    let x = randn(&mut rng, 7, 4);
    check("Sum", device, &|_| Box::new(Sum::new()), vec![], x, (1, 4));
}

fn softmax_with_loss_gradient(device) {
    let x = randn(&mut BookRng::new(6), 5, 3) * 0.5;
    let labels = Labels::from_indices(&[0, 2, 1, 1, 0], 3).unwrap();
    let loss = |xp: &Array2<f64>| SoftmaxWithLoss::new().forward(&t(xp, device), &labels).unwrap();
    let mut layer = SoftmaxWithLoss::new();
    layer.forward(&t(&x, device), &labels).unwrap();
    let dx = layer.backward(1.0).unwrap().to_array().unwrap();
    // The book adds 1e-7 inside the log, which the analytic gradient ignores: its relative effect is
    // about 1e-7 / y, so the scores are kept moderate (every y well above 1e-2).
    assert_close(
        "SoftmaxWithLoss dx",
        dx.view(),
        numerical(loss, &x).view(),
        1e-6,
        1e-5,
    );
}

fn two_layer_net_gradients(device) {
    let mut rng = BookRng::new(8);
    let x = randn(&mut rng, 6, 2);
    let labels = Labels::from_indices(&[0, 1, 2, 2, 1, 0], 3).unwrap();
    let w1 = randn(&mut rng, 2, 5);
    let b1 = randn(&mut rng, 1, 5);
    let w2 = randn(&mut rng, 5, 3);
    let b2 = randn(&mut rng, 1, 3);
    let params = [w1, b1, w2, b2];
    let loss = |ps: &[Array2<f64>]| {
        let mut m = TwoLayerNet::<f64>::from_params(
            ps[0].view(),
            ps[1].view(),
            ps[2].view(),
            ps[3].view(),
            device,
        )
        .unwrap();
        m.forward(&t(&x, device), &labels).unwrap()
    };
    let mut model = TwoLayerNet::<f64>::from_params(
        params[0].view(),
        params[1].view(),
        params[2].view(),
        params[3].view(),
        device,
    )
    .unwrap();
    model.forward(&t(&x, device), &labels).unwrap();
    model.backward().unwrap();
    let mut grads = Vec::new();
    model
        .visit_params(&mut |p| {
            grads.push((p.name, p.grad.to_array().unwrap()));
            Ok(())
        })
        .unwrap();
    let names: Vec<_> = grads.iter().map(|g| g.0).collect();
    assert_eq!(names, ["W1", "b1", "W2", "b2"]);
    for (k, (name, g)) in grads.iter().enumerate() {
        let num = numerical(
            |pk| {
                let mut ps = params.clone();
                ps[k] = pk.clone();
                loss(&ps)
            },
            &params[k],
        );
        assert_close(
            &format!("TwoLayerNet {name}"),
            g.view(),
            num.view(),
            1e-6,
            1e-5,
        );
    }
}
}
