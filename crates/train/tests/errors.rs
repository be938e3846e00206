//! Bad input to `fit` is a typed error, never a panic; divergence names where it happened.

use data::load_data;
use layers::TwoLayerNet;
use ndarray::Array2;
use optim::Sgd;
use tensor::random::BookRng;
use tensor::{Device, Labels, Tensor};
use train::{FitConfig, Silent, TrainError, Trainer};

fn setup() -> (Tensor<f64>, Labels, Trainer<f64, TwoLayerNet<f64>>) {
    let s = load_data(1984);
    let x = Tensor::from_f64(s.x.view(), Device::Cpu).unwrap();
    let t = Labels::from_one_hot(s.t.view()).unwrap();
    let model = TwoLayerNet::new(2, 10, 3, &mut BookRng::new(1), Device::Cpu).unwrap();
    (x, t, Trainer::new(model, Sgd::new(1.0).unwrap()))
}

fn fit(
    tr: &mut Trainer<f64, TwoLayerNet<f64>>,
    x: &Tensor<f64>,
    t: &Labels,
    cfg: FitConfig,
) -> Result<(), TrainError> {
    tr.fit(x, t, &cfg, &mut BookRng::new(2), &mut Silent)
}

fn config_error(e: TrainError) -> &'static str {
    match e {
        TrainError::InvalidConfig { name, .. } => name,
        other => panic!("expected InvalidConfig, got {other}"),
    }
}

/// The name of the setting `fit` refuses in `cfg`, on the spiral data.
fn refused(cfg: FitConfig) -> &'static str {
    let (x, t, mut tr) = setup();
    config_error(fit(&mut tr, &x, &t, cfg).unwrap_err())
}

#[test]
fn batch_size_zero_or_larger_than_the_data_is_refused() {
    let (x, t, mut tr) = setup();
    let e = fit(
        &mut tr,
        &x,
        &t,
        FitConfig {
            batch_size: 0,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid batch_size = 0: between 1 and the data size (300)"
    );
    assert_eq!(
        refused(FitConfig {
            batch_size: 301,
            ..Default::default()
        }),
        "batch_size"
    );
}

#[test]
fn eval_interval_zero_and_bad_max_grad_are_refused() {
    assert_eq!(
        refused(FitConfig {
            eval_interval: Some(0),
            ..Default::default()
        }),
        "eval_interval"
    );
    for m in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert_eq!(
            refused(FitConfig {
                max_grad: Some(m),
                ..Default::default()
            }),
            "max_grad"
        );
    }
}

#[test]
fn empty_data_and_mismatched_labels_are_refused() {
    let (x, t, mut tr) = setup();
    let empty = Tensor::<f64>::zeros(0, 2, Device::Cpu).unwrap();
    let no_labels = Labels::from_indices(&[], 3).unwrap();
    assert!(matches!(
        fit(&mut tr, &empty, &no_labels, FitConfig::default()),
        Err(TrainError::BadData(_))
    ));
    let fewer = Labels::from_indices(&[0; 299], 3).unwrap();
    let e = fit(&mut tr, &x, &fewer, FitConfig::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "bad training data: 300 samples but 299 labels"
    );
    let _ = t;
}

#[test]
fn wrong_feature_count_is_a_shape_error() {
    let (_, t, mut tr) = setup();
    let x3 = Tensor::<f64>::zeros(300, 3, Device::Cpu).unwrap();
    let e = fit(&mut tr, &x3, &t, FitConfig::default()).unwrap_err();
    assert!(e.to_string().contains("shape mismatch in matmul"), "{e}");
}

#[test]
fn a_nan_in_the_data_stops_training_with_its_place() {
    let (x, t, mut tr) = setup();
    let mut a = x.to_array().unwrap();
    a[[17, 0]] = f64::NAN;
    let xn = Tensor::from_array(a, Device::Cpu).unwrap();
    let before = tr.model.affine1.w.to_array().unwrap();
    let e = fit(
        &mut tr,
        &xn,
        &t,
        FitConfig {
            batch_size: 300,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        matches!(
            &e,
            TrainError::Diverged { epoch: 1, iter: 1, what } if what == "loss"
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("epoch 1, iter 1"));
    assert_eq!(
        tr.model.affine1.w.to_array().unwrap(),
        before,
        "params stay those of the last finite step"
    );
}

#[test]
fn non_finite_learning_rates_never_reach_the_trainer() {
    for lr in [f64::NAN, f64::INFINITY, -0.5, 0.0] {
        assert!(Sgd::<f64>::new(lr).is_err(), "lr {lr}");
    }
    let _ = Array2::<f64>::zeros((1, 1));
}
