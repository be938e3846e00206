//! `TwoLayerNet(2, 4, 3)` with the golden README's fixed weights, against the book's numbers
//! (`testdata/golden/twolayer_grads.json`: scores, softmax, loss, grads, dx).
//!
//! f64 on the CPU is compared **bit for bit**: the matmul is an ascending-k chain of fused
//! multiply-adds on every machine (one instruction where the CPU has FMA, libm's correctly rounded
//! `fma` elsewhere), which is what numpy's OpenBLAS Haswell kernel computed. f32, and every dtype
//! on a GPU, run the same test within `testkit::golden_tolerance` of the f64 golden values.

use layers::{Model, TwoLayerNet};
use ndarray::{Array2, ArrayView2};
use serde_json::Value;
use tensor::{Device, Element, Labels, Tensor};
use testkit::{assert_golden, golden_json, matrix, usizes};

fn cases() -> Vec<Value> {
    let g = golden_json("twolayer_grads.json");
    let mut all = vec![g.clone()];
    all.extend(g["extra_cases"].as_array().unwrap().iter().cloned());
    all
}

fn net<T: Element>(case: &Value, device: Device) -> TwoLayerNet<T> {
    let p = &case["params"];
    TwoLayerNet::from_params(
        matrix(&p["W1"]).view(),
        matrix(&p["b1"]).view(),
        matrix(&p["W2"]).view(),
        matrix(&p["b2"]).view(),
        device,
    )
    .unwrap()
}

fn run<T: Element>(device: Device) {
    let check = |what: &str, got: ArrayView2<'_, f64>, want: ArrayView2<'_, f64>| {
        assert_golden::<T>(device, what, got, want)
    };
    for case in cases() {
        let label = case["label"].as_str().unwrap().to_string();
        let mut model = net::<T>(&case, device);
        let x = Tensor::<T>::from_f64(matrix(&case["x"]).view(), device).unwrap();
        let t = Labels::from_indices(&usizes(&case["t_index"]), 3).unwrap();
        let loss = model.forward(&x, &t).unwrap().to_f64();
        let want_loss = case["forward"]["loss"].as_f64().unwrap();
        check(
            &format!("{label} loss"),
            Array2::from_elem((1, 1), loss).view(),
            Array2::from_elem((1, 1), want_loss).view(),
        );
        let scores = model.predict(&x).unwrap().to_f64_array().unwrap();
        check(
            &format!("{label} scores"),
            scores.view(),
            matrix(&case["forward"]["scores"]).view(),
        );
        model.forward(&x, &t).unwrap();
        let softmax = model.loss_layer.probabilities().to_f64_array().unwrap();
        check(
            &format!("{label} softmax"),
            softmax.view(),
            matrix(&case["forward"]["softmax"]).view(),
        );
        let dx = model.backward_dx().unwrap().to_f64_array().unwrap();
        check(
            &format!("{label} dx"),
            dx.view(),
            matrix(&case["dx"]).view(),
        );
        let grads = [
            ("dW1", &model.affine1.dw),
            ("db1", &model.affine1.db),
            ("dW2", &model.affine2.dw),
            ("db2", &model.affine2.db),
        ];
        for (name, g) in grads {
            check(
                &format!("{label} {name}"),
                g.to_f64_array().unwrap().view(),
                matrix(&case["grads"][name]).view(),
            );
        }
    }
}

testkit::dtype_device_tests! {
    /// Bit-exact for f64 on the CPU; within the stated tolerance for f32 and on a GPU.
    forward_loss_grads_and_dx_match_the_book => run;
}

#[test]
fn one_hot_labels_give_the_same_loss_as_indices() {
    let case = &cases()[1];
    let one_hot: Array2<i32> = matrix(&case["t_onehot"]).mapv(|v| v as i32);
    let t = Labels::from_one_hot(one_hot.view()).unwrap();
    assert_eq!(t.indices(), &[0, 1, 2, 0, 2]);
    let mut model = net::<f64>(case, Device::Cpu);
    let x = Tensor::from_f64(matrix(&case["x"]).view(), Device::Cpu).unwrap();
    assert_eq!(
        model.forward(&x, &t).unwrap(),
        case["forward"]["loss"].as_f64().unwrap()
    );
}
