//! The start of the book's `ch01/train.py` run (`testdata/golden/train_py_start.json`): spiral data,
//! `TwoLayerNet(2, 10, 3)` initialised from the same random stream, `SGD(lr=1.0)`,
//! `fit(x, t, max_epoch=300, batch_size=30, eval_interval=10)`.

use data::load_data_with;
use layers::TwoLayerNet;
use optim::Sgd;
use tensor::random::{BookRng, RandomSource};
use tensor::{Device, Element, Labels, Tensor};
use testkit::{assert_bits_eq, assert_golden, golden_json, matrix, usizes};
use train::{FitConfig, PrintLines, Silent, Trainer, accuracy};

fn book_setup<T: Element>(device: Device) -> (BookRng, Tensor<T>, Labels, TwoLayerNet<T>) {
    let mut rng = BookRng::new(1984);
    let s = load_data_with(&mut rng, 100, 3).unwrap();
    let x = Tensor::from_f64(s.x.view(), device).unwrap();
    let t = Labels::from_one_hot(s.t.view()).unwrap();
    let model = TwoLayerNet::new(2, 10, 3, &mut rng, device).unwrap();
    (rng, x, t, model)
}

const BOOK: FitConfig = FitConfig {
    max_epoch: 300,
    batch_size: 30,
    max_grad: None,
    eval_interval: Some(10),
};

#[test]
fn initial_weights_follow_the_spiral_in_the_book_stream() {
    let g = golden_json("train_py_start.json");
    let (_, _, _, model) = book_setup::<f64>(Device::Cpu);
    let w1 = model.affine1.w.to_array().unwrap();
    let w2 = model.affine2.w.to_array().unwrap();
    assert_bits_eq("W1", w1.view(), matrix(&g["initial_params"]["W1"]).view());
    assert_bits_eq("W2", w2.view(), matrix(&g["initial_params"]["W2"]).view());
    assert_bits_eq(
        "b1",
        model.affine1.b.to_array().unwrap().view(),
        matrix(&g["initial_params"]["b1"]).view(),
    );
}

#[test]
fn first_three_permutations_are_the_books() {
    let g = golden_json("train_py_start.json");
    let (mut rng, ..) = book_setup::<f64>(Device::Cpu);
    for (k, want) in g["first_3_permutations"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        assert_eq!(rng.permutation(300), usizes(want), "permutation {k}");
    }
}

testkit::device_tests! {
    /// Bit for bit on the CPU (the losses are numpy's to the last bit), within the GPU tolerance on
    /// a GPU; the first three log lines exactly as `train.py` printed them.
    fn first_ten_logged_losses_and_lines_match_the_book(device) {
        let g = golden_json("train_py_start.json");
        let (mut rng, x, t, model) = book_setup::<f64>(device);
        let mut trainer = Trainer::new(model, Sgd::new(1.0).unwrap());
        let mut out = PrintLines(Vec::new());
        let cfg = FitConfig {
            max_epoch: 10,
            ..BOOK
        };
        trainer.fit(&x, &t, &cfg, &mut rng, &mut out).unwrap();
        let want: Vec<f64> = g["loss_list_first_10"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(want.len(), 10);
        assert_golden::<f64>(
            device,
            "loss_list",
            ndarray::aview1(&trainer.loss_list).insert_axis(ndarray::Axis(0)),
            ndarray::aview1(&want).insert_axis(ndarray::Axis(0)),
        );
        let printed = String::from_utf8(out.0).unwrap();
        let lines: Vec<&str> = printed.lines().collect();
        let want_lines: Vec<&str> = g["printed_lines_first_3"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        assert_eq!(want_lines.len(), 3);
        assert_eq!(lines.len(), 10, "one log line per logged loss:\n{printed}");
        if device == Device::Cpu {
            assert_eq!(lines[..3], want_lines[..]);
        } else {
            // The time column may differ on a GPU's first step (its warm-up); the rest may not.
            for (got, want) in lines.iter().zip(&want_lines) {
                assert_eq!(got.split("time").next(), want.split("time").next());
            }
        }
        assert_eq!(trainer.current_epoch, 10);
    }
}

#[test]
fn the_full_book_run_reaches_97_percent_in_f64() {
    let (mut rng, x, t, model) = book_setup::<f64>(Device::Cpu);
    let mut trainer = Trainer::new(model, Sgd::new(1.0).unwrap());
    trainer.fit(&x, &t, &BOOK, &mut rng, &mut Silent).unwrap();
    assert_eq!(trainer.loss_list.len(), 300);
    let acc = accuracy(&mut trainer.model, &x, &t).unwrap();
    assert!(acc >= 0.97, "accuracy {acc}");
    assert!(
        trainer.loss_list[299] < 0.2,
        "final loss {}",
        trainer.loss_list[299]
    );
}

#[test]
fn f32_follows_the_f64_run_closely() {
    // Same data and initial weights rounded to f32; the loss curves agree to 1e-3 over 50 epochs,
    // and the accuracy after them is within two points of f64's.
    let cfg = FitConfig {
        max_epoch: 50,
        ..BOOK
    };
    let r64 = train::book_run::<f64>(1984, Device::Cpu, &cfg).unwrap();
    let r32 = train::book_run::<f32>(1984, Device::Cpu, &cfg).unwrap();
    let (l64, a64, l32, a32) = (r64.loss_list, r64.accuracy, r32.loss_list, r32.accuracy);
    let max_diff = l64
        .iter()
        .zip(&l32)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(max_diff < 1e-3, "max loss difference {max_diff}");
    assert!((a64 - a32).abs() <= 0.02, "accuracy f64 {a64} vs f32 {a32}");
}
