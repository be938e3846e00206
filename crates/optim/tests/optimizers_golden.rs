//! Every optimizer's first and second update against the book's (`twolayer_grads.json`:
//! `optimizers.*.step1` / `step2_same_grads`, params and state), bit for bit in f64, and within a
//! stated tolerance in f32.

use ndarray::Array2;
use optim::{OptimError, Optimizer, OptimizerKind};
use serde_json::Value;
use tensor::{Device, Element, Tensor};
use testkit::{BOOK_PARAMS, BookParams, assert_bits_eq, assert_close, golden_json, matrix};

fn fixed<T: Element>(case: &Value) -> BookParams<T> {
    let t = |v: &Value| Tensor::from_f64(matrix(v).view(), Device::Cpu).unwrap();
    BookParams {
        values: BOOK_PARAMS.iter().map(|n| t(&case["params"][n])).collect(),
        grads: BOOK_PARAMS
            .iter()
            .map(|n| t(&case["grads"][&format!("d{n}")]))
            .collect(),
    }
}

fn cases() -> Vec<Value> {
    let g = golden_json("twolayer_grads.json");
    let mut all = vec![g.clone()];
    all.extend(g["extra_cases"].as_array().unwrap().iter().cloned());
    all
}

fn build<T: Element>(class: &str, hp: &Value) -> Box<dyn Optimizer<T>> {
    let f = |k: &str| hp[k].as_f64().unwrap();
    match class {
        "SGD" => Box::new(optim::Sgd::new(f("lr")).unwrap()),
        "Momentum" => Box::new(optim::Momentum::new(f("lr"), f("momentum")).unwrap()),
        "Nesterov" => Box::new(optim::Nesterov::new(f("lr"), f("momentum")).unwrap()),
        "AdaGrad" => Box::new(optim::AdaGrad::new(f("lr")).unwrap()),
        "RMSprop" => Box::new(optim::RmsProp::new(f("lr"), f("decay_rate")).unwrap()),
        "Adam" => Box::new(optim::Adam::new(f("lr"), f("beta1"), f("beta2")).unwrap()),
        other => panic!("unknown optimizer {other}"),
    }
}

type Check = fn(&str, ndarray::ArrayView2<'_, f64>, ndarray::ArrayView2<'_, f64>);

fn run<T: Element>(check: Check) {
    for case in cases() {
        for (class, rec) in case["optimizers"].as_object().unwrap() {
            let mut opt = build::<T>(class, &rec["hyperparameters"]);
            let mut p = fixed::<T>(&case);
            for step in ["step1", "step2_same_grads"] {
                opt.update(&mut p).unwrap();
                let want = &rec[step];
                for (n, v) in BOOK_PARAMS.iter().zip(&p.values) {
                    check(
                        &format!("{class} {step} {n}"),
                        v.to_f64_array().unwrap().view(),
                        matrix(&want["params"][n]).view(),
                    );
                }
                let state = opt.state();
                for (slot, per_param) in want["state"].as_object().unwrap() {
                    if slot == "iter" {
                        assert_eq!(
                            opt.iterations(),
                            per_param.as_u64().unwrap(),
                            "{class} {step} iter"
                        );
                        continue;
                    }
                    for n in BOOK_PARAMS {
                        let key = format!("{slot}.{n}");
                        let got = state
                            .iter()
                            .find(|(k, _)| *k == key)
                            .unwrap_or_else(|| panic!("{class}: no {key}"));
                        check(
                            &format!("{class} {step} {key}"),
                            got.1.to_f64_array().unwrap().view(),
                            matrix(&per_param[n]).view(),
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn f64_steps_one_and_two_are_bit_exact() {
    run::<f64>(assert_bits_eq);
}

#[test]
fn f32_steps_agree_with_f64_golden() {
    // Adam's first steps move every param by about lr, whatever the grad: compare absolutely.
    run::<f32>(|what, got, want| assert_close(what, got, want, 2e-6, 2e-5));
}

#[test]
fn bad_hyper_parameters_are_typed_errors() {
    for lr in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        for kind in OptimizerKind::ALL {
            let err = kind
                .build::<f64>(lr)
                .err()
                .unwrap_or_else(|| panic!("{kind} accepted lr {lr}"));
            assert!(
                matches!(err, OptimError::InvalidHyperParameter { name: "lr", .. }),
                "{err}"
            );
        }
    }
    assert!(optim::Momentum::<f64>::new(0.1, 1.0).is_err());
    assert!(optim::RmsProp::<f64>::new(0.1, -0.1).is_err());
    assert!(optim::Adam::<f64>::new(0.1, 0.9, f64::NAN).is_err());
    let e = "adamw".parse::<OptimizerKind>().unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown optimizer 'adamw' (expected sgd, momentum, nesterov, adagrad, rmsprop or adam)"
    );
}

#[test]
fn a_param_that_changes_shape_between_updates_is_an_error() {
    let mut opt = optim::Momentum::<f64>::default();
    let mut p = fixed::<f64>(&cases()[0]);
    opt.update(&mut p).unwrap();
    p.values[0] = Tensor::from_array(Array2::zeros((3, 3)), Device::Cpu).unwrap();
    p.grads[0] = Tensor::from_array(Array2::zeros((3, 3)), Device::Cpu).unwrap();
    assert!(opt.update(&mut p).is_err());
}

#[test]
fn names_parse_and_print() {
    for kind in OptimizerKind::ALL {
        assert_eq!(kind.as_str().parse::<OptimizerKind>().unwrap(), kind);
        assert!(kind.default_lr() > 0.0);
    }
}
