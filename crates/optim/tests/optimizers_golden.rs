//! Every optimizer's first and second update against the book's (`twolayer_grads.json`:
//! `optimizers.*.step1` / `step2_same_grads`, params and state), bit for bit in f64 on the CPU, and
//! within `testkit::golden_tolerance` in f32 and on a GPU.

use ndarray::{Array2, ArrayView2};
use optim::{OptimError, Optimizer, OptimizerKind};
use serde_json::Value;
use tensor::{Device, Element, Tensor};
use testkit::{BOOK_PARAMS, BookParams, assert_golden, golden_json, matrix};

fn fixed<T: Element>(case: &Value, device: Device) -> BookParams<T> {
    let t = |v: &Value| Tensor::from_f64(matrix(v).view(), device).unwrap();
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

fn run<T: Element>(device: Device) {
    let check = |what: &str, got: ArrayView2<'_, f64>, want: ArrayView2<'_, f64>| {
        assert_golden::<T>(device, what, got, want)
    };
    for case in cases() {
        for (class, rec) in case["optimizers"].as_object().unwrap() {
            let mut opt = build::<T>(class, &rec["hyperparameters"]);
            let mut p = fixed::<T>(&case, device);
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

testkit::dtype_device_tests! {
    /// Bit-exact for f64 on the CPU; within the stated tolerance for f32 and on a GPU.
    steps_one_and_two_match_the_book => run;
}

#[test]
fn bad_hyper_parameters_are_typed_errors() {
    for lr in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        for kind in OptimizerKind::ALL {
            let err = optim::build::<f64>(kind, lr)
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
    let mut p = fixed::<f64>(&cases()[0], Device::Cpu);
    opt.update(&mut p).unwrap();
    p.values[0] = Tensor::from_array(Array2::zeros((3, 3)), Device::Cpu).unwrap();
    p.grads[0] = Tensor::from_array(Array2::zeros((3, 3)), Device::Cpu).unwrap();
    let e = opt.update(&mut p).unwrap_err();
    assert!(
        matches!(&e, OptimError::StateMismatch { optimizer: "Momentum", state, param }
            if state.starts_with("v.W1 ((2, 4)") && param.starts_with("W1 ((3, 3)")),
        "{e}"
    );
}

#[test]
fn saved_state_another_optimizer_keeps_is_refused() {
    let mut adam = optim::Adam::<f64>::default();
    let mut p = fixed::<f64>(&cases()[0], Device::Cpu);
    adam.update(&mut p).unwrap();
    let state: Vec<_> = adam
        .state()
        .into_iter()
        .map(|(k, t)| (k, t.try_clone().unwrap()))
        .collect();
    assert_eq!(state.len(), 8, "m and v for four params");
    let mut momentum = optim::Momentum::<f64>::default();
    let e = momentum.load_state(state, 1).unwrap_err();
    assert!(
        matches!(&e, OptimError::UnknownState { optimizer: "Momentum", name } if name == "m.W1"),
        "{e}"
    );
}

#[test]
fn every_kind_builds_the_class_of_its_name_with_the_book_defaults() {
    let classes: [Box<dyn Optimizer<f64>>; 6] = [
        Box::new(optim::Sgd::default()),
        Box::new(optim::Momentum::default()),
        Box::new(optim::Nesterov::default()),
        Box::new(optim::AdaGrad::default()),
        Box::new(optim::RmsProp::default()),
        Box::new(optim::Adam::default()),
    ];
    let names = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"];
    for ((kind, class), name) in OptimizerKind::ALL.into_iter().zip(classes).zip(names) {
        let built = optim::build::<f64>(kind, kind.default_lr()).unwrap();
        assert_eq!((built.name(), class.name()), (name, name));
        assert_eq!(built.lr(), class.lr(), "{name}");
        assert_eq!(built.lr(), kind.default_lr(), "{name}");
        assert!(built.lr() > 0.0 && built.lr() < 1.0, "{name}");
    }
    assert_eq!(OptimizerKind::Adam.default_lr(), 0.001);
    assert_eq!(OptimizerKind::Momentum.default_lr(), 0.01);
}

#[test]
fn names_parse_and_print() {
    for kind in OptimizerKind::ALL {
        assert_eq!(kind.as_str().parse::<OptimizerKind>().unwrap(), kind);
        assert!(kind.default_lr() > 0.0);
    }
}
