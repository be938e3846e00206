//! Checkpoints that cannot lie: any change to a saved file is refused (its checksum), and a file
//! whose contents are consistent but do not fit the run resuming it is refused too (its epoch,
//! loss history, random stream and data order are checked against the run).

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;
use optim::Adam;
use proptest::prelude::*;
use train::checkpoint::{Resume, load_checkpoint, parse, save_checkpoint};
use train::{FitConfig, FitState, Silent, TrainError};

/// `(name, start, end)` of every tensor's data in a safetensors file.
fn tensor_spans(bytes: &[u8]) -> Vec<(String, usize, usize)> {
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    let mut spans: Vec<_> = header
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| *k != "__metadata__")
        .map(|(k, v)| {
            let o = &v["data_offsets"];
            let (a, b) = (
                o[0].as_u64().unwrap() as usize,
                o[1].as_u64().unwrap() as usize,
            );
            (k.clone(), 8 + n + a, 8 + n + b)
        })
        .collect();
    spans.sort();
    spans
}

fn refused_as_corrupt(path: &Path, what: &str) {
    let e = load_into_fresh(path).unwrap_err();
    assert!(
        matches!(&e, TrainError::CheckpointFormat { reason, .. } if reason.contains("checksum does not match")),
        "{what}: {e}"
    );
    assert!(
        e.to_string().contains(&path.display().to_string()),
        "{what}: names the file: {e}"
    );
}

#[test]
fn a_flipped_bit_in_any_tensors_data_is_refused() {
    let (path, bytes) = saved_checkpoint("flip-base.safetensors");
    assert!(load_into_fresh(&path).is_ok());
    let spans = tensor_spans(&bytes);
    let names: Vec<&str> = spans.iter().map(|s| s.0.as_str()).collect();
    for want in [
        "param.W1",
        "param.b2",
        "optim.m.W1",
        "optim.v.b2",
        "train.loss_list",
        "train.order",
    ] {
        assert!(names.contains(&want), "{want} in {names:?}");
    }
    let bad = path.with_file_name("flipped.safetensors");
    for (name, start, end) in spans {
        // The first, a middle and the last byte of the tensor; a low mantissa bit and a high one.
        for (at, bit) in [(start, 0), ((start + end) / 2, 6), (end - 1, 7)] {
            let mut b = bytes.clone();
            b[at] ^= 1 << bit;
            std::fs::write(&bad, &b).unwrap();
            refused_as_corrupt(&bad, &format!("{name} byte {at} bit {bit}"));
        }
    }
}

#[test]
fn an_edited_metadata_value_is_refused() {
    let (path, bytes) = saved_checkpoint("meta-base.safetensors");
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let bad = path.with_file_name("edited.safetensors");
    // Same-length edits, so the header still parses: only the checksum can tell.
    for (from, to) in [
        ("\"epoch\":\"2\"", "\"epoch\":\"1\""),
        ("\"rng_seed\":\"1984\"", "\"rng_seed\":\"1985\""),
        (
            "\"config.hidden_size\":\"10\"",
            "\"config.hidden_size\":\"11\"",
        ),
    ] {
        assert!(text.contains(from), "{from} in the header");
        let edited = text.replacen(from, to, 1);
        let mut b = bytes.clone();
        let at = text.find(from).unwrap();
        b[at..at + to.len()].copy_from_slice(&edited.as_bytes()[at..at + to.len()]);
        std::fs::write(&bad, &b).unwrap();
        refused_as_corrupt(&bad, from);
    }
}

#[test]
fn files_of_the_old_unchecked_format_are_refused_with_the_reason() {
    let (path, _) = saved_checkpoint("old-base.safetensors");
    let parsed = parse(&path, &std::fs::read(&path).unwrap()).unwrap();
    let mut meta: std::collections::HashMap<String, String> = parsed.meta.clone();
    meta.remove("checksum");
    meta.insert("format".into(), "dlfs2-checkpoint-1".into());
    let old = safetensors::serialize(
        Vec::<(&str, safetensors::tensor::TensorView)>::new(),
        Some(meta.into_iter().collect()),
    )
    .unwrap();
    let bad = path.with_file_name("old.safetensors");
    std::fs::write(&bad, old).unwrap();
    let e = load_into_fresh(&bad).unwrap_err();
    assert!(
        e.to_string()
            .contains("older dlfs2 (format dlfs2-checkpoint-1)"),
        "{e}"
    );
}

/// A change made to a trainer before it saves.
type Tamper = Box<dyn FnOnce(&mut Run<f64>)>;

/// A saved checkpoint's bytes, and the params and loss history it loads as.
type Saved = (Vec<u8>, Vec<Vec<u64>>, Vec<u64>);

/// Saves after two epochs with `tamper` applied to the trainer first, and loads into a fresh run
/// that resumes to `max_epoch`.
fn save_tampered(
    name: &str,
    max_epoch: usize,
    tamper: impl FnOnce(&mut Run<f64>),
) -> Result<tensor::random::BookRng, TrainError> {
    let path = dir("tamper").join(name);
    let mut r = run::<f64>(10, Box::new(Adam::default()));
    let two = FitConfig {
        max_epoch: 2,
        ..SMALL
    };
    r.trainer
        .fit(&r.x, &r.t, &two, &mut r.rng, &mut Silent)
        .unwrap();
    tamper(&mut r);
    save_checkpoint(&path, &mut r.trainer, &r.rng, &config()).unwrap();
    let mut fresh = run::<f64>(10, Box::new(Adam::default()));
    let fit = FitConfig { max_epoch, ..SMALL };
    load_into(&path, &mut fresh, &config(), &fit)
}

#[test]
fn consistent_files_that_do_not_fit_the_resuming_run_are_refused() {
    assert!(save_tampered("plain.safetensors", 4, |_| {}).is_ok());
    let e = save_tampered("past.safetensors", 1, |_| {}).unwrap_err();
    assert!(
        matches!(
            e,
            TrainError::ResumePastEnd {
                epoch: 2,
                max_epoch: 1,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("ask for at least 2 epochs"), "{e}");
    let cases: [(&str, Tamper, &str); 5] = [
        (
            "epoch.safetensors",
            Box::new(|r| r.trainer.current_epoch = 3),
            "does not fit 3 epochs",
        ),
        (
            "losses.safetensors",
            Box::new(|r| {
                r.trainer.loss_list.pop();
            }),
            "loss history",
        ),
        (
            "order.safetensors",
            Box::new(|r| {
                let mut s: FitState = r.trainer.state().clone();
                s.order.swap(3, 7);
                r.trainer.set_state(s);
            }),
            "train.order is not the order",
        ),
        (
            "stream.safetensors",
            Box::new(|r| {
                r.rng.next_u32();
            }),
            "random stream",
        ),
        (
            "nan.safetensors",
            Box::new(|r| r.trainer.loss_list[1] = f64::NAN),
            "loss history holds NaN",
        ),
    ];
    for (name, tamper, says) in cases {
        let e = save_tampered(name, 4, tamper).unwrap_err();
        assert!(
            matches!(&e, TrainError::CheckpointFormat { .. }) && e.to_string().contains(says),
            "{name}: {e}"
        );
    }
}

#[test]
fn checkpoints_at_the_first_and_the_last_epoch_resume() {
    // Saved before any epoch: no losses, nothing pending.
    let path = dir("edges").join("epoch0.safetensors");
    let mut r = run::<f64>(10, Box::new(Adam::default()));
    r.trainer.begin(&r.x, &r.t, &SMALL).unwrap();
    save_checkpoint(&path, &mut r.trainer, &r.rng, &config()).unwrap();
    let mut fresh = run::<f64>(10, Box::new(Adam::default()));
    load_into(&path, &mut fresh, &config(), &SMALL).unwrap();
    assert_eq!(fresh.trainer.current_epoch, 0);
    // Saved at the run's last epoch: resuming it to that epoch is allowed (nothing left to do).
    assert!(save_tampered("at-end.safetensors", 2, |_| {}).is_ok());
}

#[test]
fn a_refused_checkpoint_changes_nothing_in_the_trainer() {
    let (path, bytes) = saved_checkpoint("untouched.safetensors");
    let mut b = bytes.clone();
    let last = b.len() - 1;
    b[last] ^= 1;
    let bad = path.with_file_name("untouched-bad.safetensors");
    std::fs::write(&bad, &b).unwrap();
    let mut r = run::<f64>(10, Box::new(Adam::default()));
    let before = params_of(&mut r.trainer.model);
    let resume = Resume {
        settings: &config(),
        fit: &SMALL,
        data_size: r.x.rows(),
        rng_at_begin: &r.rng,
    };
    assert!(load_checkpoint(&bad, &mut r.trainer, &resume).is_err());
    assert_eq!(params_of(&mut r.trainer.model), before);
    assert_eq!(r.trainer.current_epoch, 0);
    assert!(r.trainer.loss_list.is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Random bytes changed anywhere: the load fails, or (a change the format ignores, such as
    /// the header's padding) gives exactly the saved model, optimizer state and history.
    #[test]
    fn a_mutated_checkpoint_never_loads_changed_tensors(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..6),
    ) {
        static GOOD: std::sync::OnceLock<Saved> = std::sync::OnceLock::new();
        let (good, params, losses) = GOOD.get_or_init(|| {
            let (path, bytes) = saved_checkpoint("prop-base.safetensors");
            let mut r = run::<f64>(10, Box::new(Adam::default()));
            load_into(&path, &mut r, &config(), &SMALL).unwrap();
            let losses = r.trainer.loss_list.iter().map(|v| v.to_bits()).collect();
            (bytes, params_of(&mut r.trainer.model), losses)
        });
        let mut bytes = good.clone();
        for (at, v) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= v;
        }
        let path = dir("prop").join(format!("m-{:?}.safetensors", std::thread::current().id()));
        std::fs::write(&path, &bytes).unwrap();
        let mut r = run::<f64>(10, Box::new(Adam::default()));
        if load_into(&path, &mut r, &config(), &SMALL).is_ok() {
            prop_assert_eq!(&params_of(&mut r.trainer.model), params);
            let got: Vec<u64> = r.trainer.loss_list.iter().map(|v| v.to_bits()).collect();
            prop_assert_eq!(&got, losses);
            let unchanged: BTreeMap<_, _> = parse(&path, &bytes).unwrap().tensors;
            let original: BTreeMap<_, _> = parse(&path, good).unwrap().tensors;
            prop_assert_eq!(unchanged, original);
        }
    }
}

#[test]
fn a_nan_param_with_a_valid_checksum_is_refused_naming_the_tensor() {
    let path = dir("bad").join("nan-param.safetensors");
    let mut r = trained();
    // A checksum proves the bytes are as written, not that they can be trained from.
    use tensor::Params as _;
    r.trainer
        .model
        .visit_params(&mut |p| {
            if p.name == "W2" {
                let (rows, cols) = p.value.shape();
                let mut v = vec![0.5; rows * cols];
                v[3] = f64::NAN;
                p.value.copy_from_host(rows, cols, &v)?;
            }
            Ok(())
        })
        .unwrap();
    save_checkpoint(&path, &mut r.trainer, &r.rng, &config()).unwrap();
    let e = load_into_fresh(&path).unwrap_err().to_string();
    assert!(e.contains("param.W2") && e.contains("non-finite"), "{e}");
    let e = train::checkpoint::load_params(
        &path,
        &mut run::<f64>(10, Box::new(Adam::default())).trainer.model,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("param.W2"), "{e}");
}
