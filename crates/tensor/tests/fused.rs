//! The fused ops (one kernel launch each on a GPU) give bit for bit what the ops they fuse give:
//! bias add + sigmoid, softmax cross-entropy + its gradient, the optimizer update over all params,
//! and the whole-model gradient ops. Run on the CPU here; `testkit::parity` runs them on GPUs.

use ndarray::Array2;
use tensor::ops::update::Rule;
use tensor::random::{BookRng, RandomSource};
use tensor::{Device, Element, Labels, Tensor, TensorError, ops};
use testkit::{BookParams, RULES};

fn random<T: Element>(rng: &mut BookRng, r: usize, c: usize, scale: f64) -> Tensor<T> {
    Tensor::from_f64((rng.randn_matrix(r, c) * scale).view(), Device::Cpu).unwrap()
}

fn bits<T: Element>(t: &Tensor<T>) -> Vec<u64> {
    t.to_f64_array()
        .unwrap()
        .iter()
        .map(|v| v.to_bits())
        .collect()
}

fn bias_sigmoid_is_add_row_then_sigmoid<T: Element>() {
    let mut rng = BookRng::new(5);
    for &(r, c) in &[(30, 10), (7, 1), (1, 33), (0, 4)] {
        let x = random::<T>(&mut rng, r, c, 4.0);
        let b = random::<T>(&mut rng, 1, c, 1.0);
        let mut fused = Tensor::empty();
        ops::add_row_sigmoid(&x, &b, &mut fused).unwrap();
        let mut h = x.try_clone().unwrap();
        ops::add_row(&mut h, &b).unwrap();
        let mut apart = Tensor::empty();
        ops::sigmoid(&h, &mut apart).unwrap();
        assert_eq!(fused.shape(), (r, c));
        assert_eq!(bits(&fused), bits(&apart), "{} {r}x{c}", T::DTYPE.as_str());
    }
    let x = random::<T>(&mut rng, 3, 4, 1.0);
    let b = random::<T>(&mut rng, 1, 3, 1.0);
    let err = ops::add_row_sigmoid(&x, &b, &mut Tensor::empty()).unwrap_err();
    assert!(matches!(
        err,
        TensorError::ShapeMismatch {
            op: "add_row_sigmoid",
            ..
        }
    ));
}

#[test]
fn bias_add_fused_into_sigmoid_is_bit_identical() {
    bias_sigmoid_is_add_row_then_sigmoid::<f64>();
    bias_sigmoid_is_add_row_then_sigmoid::<f32>();
}

fn loss_with_grad_is_loss_then_backward<T: Element>() {
    let mut rng = BookRng::new(6);
    let x = random::<T>(&mut rng, 30, 3, 3.0);
    let labels: Vec<usize> = (0..30).map(|i| (i * 5) % 3).collect();
    let t = Labels::from_indices(&labels, 3).unwrap();
    let (mut y1, mut y2, mut d1, mut d2) = (
        Tensor::empty(),
        Tensor::empty(),
        Tensor::empty(),
        Tensor::empty(),
    );
    let fused = ops::softmax_cross_entropy_with_grad(&x, &t, &mut y1, &mut d1).unwrap();
    let loss = ops::softmax_cross_entropy(&x, &t, &mut y2).unwrap();
    ops::softmax_cross_entropy_backward(&y2, &t, T::ONE, &mut d2).unwrap();
    assert_eq!(fused.to_f64().to_bits(), loss.to_f64().to_bits());
    assert_eq!(bits(&y1), bits(&y2));
    assert_eq!(bits(&d1), bits(&d2));
    let wrong = Labels::from_indices(&labels[..29], 3).unwrap();
    assert!(ops::softmax_cross_entropy_with_grad(&x, &wrong, &mut y1, &mut d1).is_err());
}

#[test]
fn loss_fused_with_its_gradient_is_bit_identical() {
    loss_with_grad_is_loss_then_backward::<f64>();
    loss_with_grad_is_loss_then_backward::<f32>();
}

fn net<T: Element>(rng: &mut BookRng) -> BookParams<T> {
    let shapes = [(2, 10), (1, 10), (10, 3), (1, 3)];
    BookParams {
        values: shapes
            .iter()
            .map(|&(r, c)| random(rng, r, c, 1.0))
            .collect(),
        grads: shapes
            .iter()
            .map(|&(r, c)| random(rng, r, c, 0.5))
            .collect(),
    }
}

fn zeros<T: Element>(net: &BookParams<T>) -> Vec<Tensor<T>> {
    net.values
        .iter()
        .map(|v| Tensor::zeros(v.rows(), v.cols(), Device::Cpu).unwrap())
        .collect()
}

fn update_params_is_update_per_param<T: Element>() {
    let mut rng = BookRng::new(7);
    for rule in RULES {
        let mut all = net::<T>(&mut rng);
        let mut each = all.try_clone();
        let mut state_all = [zeros(&all), zeros(&all)];
        let mut state_each = [zeros(&all), zeros(&all)];
        let n = rule.state_slots();
        for _ in 0..3 {
            let [a, b] = &mut state_all;
            let mut slots: [&mut [Tensor<T>]; 2] = [a, b];
            ops::update::update_params(rule, &mut all, &mut slots[..n]).unwrap();
            for i in 0..4 {
                let [a, b] = &mut state_each;
                let (a, b) = (&mut a[i], &mut b[i]);
                let mut state: Vec<&mut Tensor<T>> = vec![a, b];
                state.truncate(n);
                ops::update::update(rule, &mut each.values[i], &mut state, &each.grads[i]).unwrap();
            }
        }
        for i in 0..4 {
            assert_eq!(
                bits(&all.values[i]),
                bits(&each.values[i]),
                "{rule:?} param {i}"
            );
            assert_ne!(
                bits(&all.values[i]),
                bits(&net::<T>(&mut BookRng::new(7)).values[i]),
                "{rule:?} param {i} moved"
            );
        }
    }
}

#[test]
fn one_update_over_all_params_equals_updates_param_by_param() {
    update_params_is_update_per_param::<f64>();
    update_params_is_update_per_param::<f32>();
}

#[test]
fn update_params_refuses_missing_or_misshaped_state() {
    let mut net = net::<f64>(&mut BookRng::new(8));
    let rule = Rule::Adam {
        lr: 0.1,
        t: 1,
        beta1: 0.9,
        beta2: 0.999,
    };
    let mut one = zeros(&net);
    assert!(matches!(
        ops::update::update_params(rule, &mut net, &mut [&mut one[..]]),
        Err(TensorError::StateMismatch {
            op: "adam",
            expected: 2,
            got: 1
        })
    ));
    let (mut m, mut short) = (zeros(&net), zeros(&net));
    short.pop();
    assert!(matches!(
        ops::update::update_params(rule, &mut net, &mut [&mut m[..], &mut short[..]]),
        Err(TensorError::StateMismatch {
            expected: 4,
            got: 3,
            ..
        })
    ));
    let mut wrong = zeros(&net);
    wrong[2] = Tensor::zeros(3, 10, Device::Cpu).unwrap();
    let mut v = zeros(&net);
    assert!(matches!(
        ops::update::update_params(rule, &mut net, &mut [&mut wrong[..], &mut v[..]]),
        Err(TensorError::ShapeMismatch {
            op: "adam",
            lhs: (3, 10),
            rhs: (10, 3)
        })
    ));
}

#[test]
fn whole_model_gradient_ops_match_the_per_tensor_ops() {
    let mut net = net::<f64>(&mut BookRng::new(9));
    let mut expected = 0.0;
    for g in &net.grads {
        expected += ops::sum_squares(g).unwrap();
    }
    let total = ops::grads::norm_squared(&mut net).unwrap();
    assert_eq!(total.to_bits(), expected.to_bits());

    let mut scaled = net.try_clone();
    ops::grads::scale_all(&mut scaled, 0.25).unwrap();
    for (a, b) in scaled.grads.iter().zip(&net.grads) {
        let mut b = b.try_clone().unwrap();
        ops::scale(&mut b, 0.25).unwrap();
        assert_eq!(bits(a), bits(&b));
    }

    assert_eq!(ops::grads::first_non_finite(&mut net).unwrap(), None);
    let mut g = Array2::<f64>::zeros((10, 3));
    g[[4, 1]] = f64::NAN;
    net.grads[2] = Tensor::from_f64(g.view(), Device::Cpu).unwrap();
    net.grads[3] =
        Tensor::from_f64(Array2::from_elem((1, 3), f64::INFINITY).view(), Device::Cpu).unwrap();
    assert_eq!(ops::grads::first_non_finite(&mut net).unwrap(), Some("W2"));
}
