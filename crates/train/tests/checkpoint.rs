//! Saving and loading: round trips, bit-identical resume, bad files, and a kill mid-save.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;

use layers::TwoLayerNet;
use optim::{Adam, OptimizerKind, Sgd};
use proptest::prelude::*;
use tensor::random::BookRng;
use tensor::{Device, Element};
use train::checkpoint::{
    Resume, load_checkpoint, load_params, parse, save_checkpoint, save_params,
};
use train::{FitConfig, Silent, TrainError};

#[test]
fn params_round_trip_in_f64_and_f32() {
    fn check<T: Element>(name: &str) {
        let path = dir("params").join(name);
        let mut a = run::<T>(10, Box::new(Sgd::new(1.0).unwrap()));
        let mut b = TwoLayerNet::<T>::new(2, 10, 3, &mut BookRng::new(5), Device::Cpu).unwrap();
        save_params(&path, &mut a.trainer.model).unwrap();
        assert_ne!(params_of(&mut a.trainer.model), params_of(&mut b));
        load_params(&path, &mut b).unwrap();
        assert_eq!(params_of(&mut a.trainer.model), params_of(&mut b));
        let parsed = parse(&path, &std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(parsed.meta["dtype"], T::DTYPE.as_str());
        assert_eq!(parsed.tensors["param.W1"].1, vec![2, 10]);
        assert_eq!(parsed.tensors["param.b2"].1, vec![1, 3]);
    }
    check::<f64>("p64.safetensors");
    check::<f32>("p32.safetensors");
}

/// Runs 20 epochs straight, and 8 + save + load into a fresh trainer + 12; both must end equal.
fn resume_is_bit_identical<T: Element>(kind: OptimizerKind, lr: f64, max_grad: Option<f64>) {
    let cfg = FitConfig {
        max_epoch: 20,
        batch_size: 30,
        max_grad,
        eval_interval: Some(7),
    };
    let mut full = run::<T>(10, optim::build(kind, lr).unwrap());
    full.trainer
        .fit(&full.x, &full.t, &cfg, &mut full.rng, &mut Silent)
        .unwrap();

    let path = dir("resume").join(format!("{kind}-{}.safetensors", T::DTYPE.as_str()));
    let mut first = run::<T>(10, optim::build(kind, lr).unwrap());
    first.trainer.begin(&first.x, &first.t, &cfg).unwrap();
    for _ in 0..8 {
        first
            .trainer
            .fit_epoch(&first.x, &first.t, &cfg, &mut first.rng, &mut Silent)
            .unwrap();
    }
    save_checkpoint(&path, &mut first.trainer, &first.rng, &config()).unwrap();
    drop(first);

    let mut second = run::<T>(10, optim::build(kind, lr).unwrap());
    let resume = Resume {
        settings: &config(),
        fit: &cfg,
        data_size: second.x.rows(),
        rng_at_begin: &second.rng,
    };
    let mut rng = load_checkpoint(&path, &mut second.trainer, &resume).unwrap();
    assert_eq!(second.trainer.current_epoch, 8);
    while second.trainer.current_epoch < 20 {
        second
            .trainer
            .fit_epoch(&second.x, &second.t, &cfg, &mut rng, &mut Silent)
            .unwrap();
    }
    assert_eq!(
        params_of(&mut second.trainer.model),
        params_of(&mut full.trainer.model),
        "{kind} params"
    );
    let bits = |l: &[f64]| l.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(
        bits(&second.trainer.loss_list),
        bits(&full.trainer.loss_list),
        "{kind} loss_list"
    );
    assert_eq!(rng.state(), full.rng.state(), "{kind} random stream");
}

#[test]
fn a_resumed_run_ends_bit_identical_to_an_uninterrupted_one() {
    resume_is_bit_identical::<f64>(OptimizerKind::Sgd, 1.0, None);
    resume_is_bit_identical::<f64>(OptimizerKind::Adam, 0.01, Some(0.5));
    resume_is_bit_identical::<f64>(OptimizerKind::Momentum, 0.1, None);
    resume_is_bit_identical::<f32>(OptimizerKind::Sgd, 1.0, None);
    resume_is_bit_identical::<f32>(OptimizerKind::RmsProp, 0.01, Some(1.0));
    // Every optimizer's state must survive the file: AdaGrad's `h` restarting at zero, say,
    // changes the steps after the resume.
    resume_is_bit_identical::<f64>(OptimizerKind::Nesterov, 0.1, None);
    resume_is_bit_identical::<f64>(OptimizerKind::AdaGrad, 0.1, Some(2.0));
    resume_is_bit_identical::<f64>(OptimizerKind::RmsProp, 0.01, None);
}

#[test]
fn truncated_corrupted_and_foreign_files_are_format_errors() {
    let (path, bytes) = saved_checkpoint("good.safetensors");
    assert!(load_into_fresh(&path).is_ok());
    let bad = path.with_file_name("bad.safetensors");
    for (what, data) in [
        ("truncated", bytes[..bytes.len() - 17].to_vec()),
        ("header cut", bytes[..40].to_vec()),
        ("empty", Vec::new()),
        ("garbage", b"this is not a checkpoint at all".to_vec()),
        ("corrupted header", {
            let mut b = bytes.clone();
            b[12] ^= 0x5a;
            b
        }),
    ] {
        std::fs::write(&bad, &data).unwrap();
        let e = load_into_fresh(&bad).unwrap_err();
        assert!(
            matches!(e, TrainError::CheckpointFormat { .. }),
            "{what}: {e}"
        );
        assert!(
            e.to_string().contains("is not a valid checkpoint"),
            "{what}: {e}"
        );
    }
    // A params file is not a checkpoint.
    let mut m = TwoLayerNet::<f64>::new(2, 10, 3, &mut BookRng::new(1), Device::Cpu).unwrap();
    save_params(&bad, &mut m).unwrap();
    assert!(matches!(
        load_into_fresh(&bad),
        Err(TrainError::CheckpointFormat { .. })
    ));
    let e = load_into_fresh(&path.with_file_name("missing.safetensors")).unwrap_err();
    assert!(matches!(e, TrainError::CheckpointIo { .. }), "{e}");
}

#[test]
fn wrong_shape_dtype_optimizer_or_settings_are_mismatches() {
    let (path, _) = saved_checkpoint("mismatch.safetensors");
    let mut small = run::<f64>(5, Box::new(Adam::default()));
    let e = load_into(&path, &mut small, &config(), &SMALL).unwrap_err();
    assert!(matches!(e, TrainError::CheckpointMismatch { .. }), "{e}");
    assert!(e.to_string().contains("shape of W1"), "{e}");
    let mut f32run = run::<f32>(10, Box::new(Adam::default()));
    let resume = Resume {
        settings: &config(),
        fit: &SMALL,
        data_size: f32run.x.rows(),
        rng_at_begin: &f32run.rng,
    };
    let e = load_checkpoint(&path, &mut f32run.trainer, &resume).unwrap_err();
    assert!(
        e.to_string()
            .contains("the dtype is f64 in the file, f32 here"),
        "{e}"
    );
    let mut sgd = run::<f64>(10, Box::new(Sgd::new(1.0).unwrap()));
    let e = load_into(&path, &mut sgd, &config(), &SMALL).unwrap_err();
    assert!(
        e.to_string()
            .contains("the optimizer is Adam in the file, SGD here"),
        "{e}"
    );
    let mut r = run::<f64>(10, Box::new(Adam::default()));
    let other = BTreeMap::from([("hidden_size".to_string(), "12".to_string())]);
    let e = load_into(&path, &mut r, &other, &SMALL).unwrap_err();
    assert!(
        e.to_string()
            .contains("setting hidden_size is 10 in the file, 12 here"),
        "{e}"
    );
    // Nothing changed in the trainer that refused the file.
    assert_eq!(r.trainer.current_epoch, 0);
    let mut m = TwoLayerNet::<f64>::new(2, 4, 3, &mut BookRng::new(1), Device::Cpu).unwrap();
    assert!(matches!(
        load_params(&path, &mut m),
        Err(TrainError::CheckpointMismatch { .. })
    ));
}

#[test]
fn a_save_removes_the_temporary_files_of_killed_writers() {
    let d = dir("stale");
    let path = d.join("model.safetensors");
    // A writer that no longer runs (no process has this id) and one that still does (this one).
    let dead = d.join(".model.safetensors.tmp-4294967290");
    let other = d.join(".other.safetensors.tmp-4294967290");
    std::fs::write(&dead, b"half a file").unwrap();
    std::fs::write(&other, b"another file's").unwrap();
    let mut m = TwoLayerNet::<f64>::new(2, 4, 3, &mut BookRng::new(1), Device::Cpu).unwrap();
    save_params(&path, &mut m).unwrap();
    assert!(!dead.exists(), "the dead writer's temporary file is gone");
    assert!(
        other.exists(),
        "another file's temporaries are not this save's business"
    );
    let names: Vec<String> = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with(".model.safetensors.tmp-")),
        "{names:?}"
    );
}

#[test]
fn an_unwritable_place_is_an_io_error() {
    let mut m = TwoLayerNet::<f64>::new(2, 4, 3, &mut BookRng::new(1), Device::Cpu).unwrap();
    let e = save_params(Path::new("/proc/dlfs2-nope/params.safetensors"), &mut m).unwrap_err();
    assert!(matches!(e, TrainError::CheckpointIo { .. }), "{e}");
}

/// Run only as the child of the kill test: saves checkpoints in a loop until killed.
#[test]
#[ignore = "helper process for a_kill_mid_save_leaves_a_loadable_checkpoint"]
fn kill_test_child_saves_forever() {
    let Ok(path) = std::env::var("DLFS2_KILL_TEST_FILE") else {
        return;
    };
    let mut r = run::<f64>(64, Box::new(Adam::default()));
    let cfg = FitConfig {
        max_epoch: 1,
        batch_size: 30,
        max_grad: None,
        eval_interval: Some(10),
    };
    r.trainer.begin(&r.x, &r.t, &cfg).unwrap();
    let big = BTreeMap::from([("hidden_size".to_string(), "64".to_string())]);
    loop {
        r.trainer
            .fit_epoch(&r.x, &r.t, &cfg, &mut r.rng, &mut Silent)
            .unwrap();
        save_checkpoint(Path::new(&path), &mut r.trainer, &r.rng, &big).unwrap();
    }
}

#[test]
fn a_kill_mid_save_leaves_a_loadable_checkpoint() {
    let big = BTreeMap::from([("hidden_size".to_string(), "64".to_string())]);
    let endless = FitConfig {
        max_epoch: usize::MAX,
        batch_size: 30,
        max_grad: None,
        eval_interval: Some(10),
    };
    for round in 0..4u64 {
        // A file of this round's own: a later round must not check what an earlier child wrote.
        let path = dir("kill").join(format!("ckpt-{round}.safetensors"));
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "kill_test_child_saves_forever",
                "--ignored",
                "--nocapture",
            ])
            .env("DLFS2_KILL_TEST_FILE", &path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Wait for a first checkpoint, then kill at a varying moment of the save loop.
        let start = std::time::Instant::now();
        while !path.exists() && start.elapsed().as_secs() < 30 {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        std::thread::sleep(std::time::Duration::from_millis(40 + 37 * round));
        child.kill().unwrap();
        child.wait().unwrap();
        let mut r = run::<f64>(64, Box::new(Adam::default()));
        let rng = load_into(&path, &mut r, &big, &endless);
        assert!(rng.is_ok(), "round {round}: {:?}", rng.err());
        assert!(r.trainer.current_epoch >= 1);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_parse_to_a_value_or_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse(Path::new("fuzz"), &bytes);
    }

    #[test]
    fn mutated_checkpoints_never_panic(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8), cut in any::<prop::sample::Index>()) {
        static GOOD: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        let good = GOOD.get_or_init(|| saved_checkpoint("fuzz-base.safetensors").1);
        let mut bytes = good.clone();
        for (at, v) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= v;
        }
        bytes.truncate(cut.index(bytes.len() + 1));
        let path = dir("fuzz").join(format!("m-{:?}.safetensors", std::thread::current().id()));
        std::fs::write(&path, &bytes).unwrap();
        let _ = load_into_fresh(&path);
    }
}
