//! Settings beyond the defaults, against the book's own code: `testdata/golden/fidelity_configs.json`
//! holds the loss lists and final params of the book's Trainer (numpy 2.4.6, OpenBLAS's Haswell
//! kernels) for eight settings where numpy sums in other orders than at the defaults — products
//! with more than one `k` panel (batch 300 and 280, hidden 400 and 600), matrix-vector products and
//! a one-column sum (hidden 1, batch 1), and float32. Each runs through `cargo xtask chapter1` with
//! the file's flags, as a user would.

use std::path::Path;
use std::process::Command;

use testkit::golden_json;

/// The run's `loss.csv` losses and `model.safetensors` params (by name: W1, b1, W2, b2).
fn run(flags: &str, name: &str) -> (Vec<f64>, Vec<(String, Vec<f64>)>) {
    let out = std::env::temp_dir().join(format!("dlfs2-fidelity-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let mut args = vec![
        "chapter1",
        "--quiet",
        "--frames",
        "0",
        "--grid-step",
        "0.05",
    ];
    args.extend(flags.split_whitespace());
    let o = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(&args)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("xtask runs");
    assert!(
        o.status.success(),
        "{flags}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let losses = std::fs::read_to_string(out.join("loss.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split_once(',').unwrap().1.parse().unwrap())
        .collect();
    let params = params(&out.join("model.safetensors"));
    std::fs::remove_dir_all(&out).unwrap();
    (losses, params)
}

fn params(path: &Path) -> Vec<(String, Vec<f64>)> {
    let parsed = train::checkpoint::parse(path, &std::fs::read(path).unwrap()).unwrap();
    ["W1", "b1", "W2", "b2"]
        .iter()
        .map(|n| {
            let (_, _, values) = &parsed.tensors[&format!("param.{n}")];
            (n.to_string(), values.clone())
        })
        .collect()
}

fn numbers(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .flat_map(|x| match x.as_array() {
            Some(row) => row
                .iter()
                .map(|s| s.as_str().unwrap().parse().unwrap())
                .collect(),
            None => vec![x.as_str().unwrap().parse::<f64>().unwrap()],
        })
        .collect()
}

type Outcome = (Vec<f64>, Vec<(String, Vec<f64>)>);

/// The settings of the golden file in one precision (`f32` or not), each run through the CLI.
fn runs(f32: bool) -> Vec<(String, serde_json::Value, Outcome)> {
    let g = golden_json("fidelity_configs.json");
    g["runs"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .filter(|(_, r)| r["flags"].as_str().unwrap().contains("f32") == f32)
        .map(|(i, r)| {
            let flags = r["flags"].as_str().unwrap().to_string();
            let got = run(&flags, &i.to_string());
            (flags, r.clone(), got)
        })
        .collect()
}

/// The run's losses and final params are the golden file's, bit for bit (f32 values are
/// compared widened to f64, as the file writes them).
fn assert_same_run(
    flags: &str,
    want: &serde_json::Value,
    losses: &[f64],
    params: &[(String, Vec<f64>)],
) {
    let want_losses = numbers(&want["loss_list"]);
    assert_eq!(losses.len(), want_losses.len(), "{flags}");
    for (i, (g, w)) in losses.iter().zip(&want_losses).enumerate() {
        assert_eq!(
            g.to_bits(),
            w.to_bits(),
            "{flags}: loss {i}: {g:?} vs {w:?}"
        );
    }
    assert_eq!(params.len(), 4, "{flags}: W1, b1, W2, b2");
    for (name, values) in params {
        let w = numbers(&want["final_params"][name.as_str()]);
        let same = values
            .iter()
            .zip(&w)
            .all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(same && values.len() == w.len(), "{flags}: {name} differs");
    }
}

#[test]
fn every_f64_setting_is_the_books_bit_for_bit() {
    let mut checked = 0;
    for (flags, want, (losses, params)) in runs(false) {
        assert_same_run(&flags, &want, &losses, &params);
        checked += 1;
    }
    assert_eq!(checked, 6);
}

/// f32: numpy's float32 `exp` and `log` are its own SIMD routines (ported in `tensor::math`), and
/// Adam's step is computed in float64 (the book's `lr_t` is a numpy float64 scalar): the loss
/// lists and the final params are the book's bit for bit too.
#[test]
fn every_f32_setting_is_the_books_bit_for_bit() {
    let mut checked = 0;
    for (flags, want, (losses, params)) in runs(true) {
        assert_same_run(&flags, &want, &losses, &params);
        checked += 1;
    }
    assert_eq!(checked, 2);
}
