//! The ports of numpy's `float32` `exp` and `log` (`tensor::math::numpy_exp_f32`,
//! `numpy_log_f32`) against numpy, bit for bit: on the table of inputs numpy computed in
//! `testdata/golden/numpy_f32_math.json` (made by `numpy_f32_math.py` beside it: every special
//! value and branch edge, and random bit patterns), and, in an ignored test that needs python3
//! with numpy, on every one of the 2^32 float32 values.

use std::io::{BufReader, Read};
use std::process::{Command, Stdio};

use tensor::kernels::CpuFloat;
use tensor::math::{numpy_exp_f32, numpy_log_f32};

fn golden() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/golden/numpy_f32_math.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn bits(v: &serde_json::Value) -> Vec<u32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|h| u32::from_str_radix(h.as_str().unwrap(), 16).unwrap())
        .collect()
}

fn check(name: &str, f: fn(f32) -> f32) -> usize {
    let g = golden();
    let (inputs, outputs) = (bits(&g[name]["x"]), bits(&g[name]["y"]));
    assert_eq!(inputs.len(), outputs.len());
    for (x, y) in inputs.iter().zip(&outputs) {
        let got = f(f32::from_bits(*x)).to_bits();
        assert!(
            got == *y,
            "{name}({:e} = {x:#010x}): {got:#010x}, numpy {y:#010x}",
            f32::from_bits(*x)
        );
    }
    inputs.len()
}

#[test]
fn exp_is_numpys_on_the_table() {
    assert!(check("exp", numpy_exp_f32) >= 3500);
}

#[test]
fn log_is_numpys_on_the_table() {
    assert!(check("log", numpy_log_f32) >= 3500);
}

/// The training kernels' passes over a slice (8 lanes at a time where the CPU has AVX2 + FMA)
/// give the table's bits too, at every position of a vector and in the scalar remainder.
#[test]
fn the_slice_passes_are_numpys_on_the_table() {
    let g = golden();
    for (name, pass) in [
        (
            "exp",
            <f32 as CpuFloat>::exp_train_in_place as fn(&mut [f32]),
        ),
        ("log", <f32 as CpuFloat>::ln_train_in_place),
    ] {
        let (inputs, outputs) = (bits(&g[name]["x"]), bits(&g[name]["y"]));
        for skip in [0, 3] {
            let mut xs: Vec<f32> = inputs[skip..].iter().map(|&b| f32::from_bits(b)).collect();
            pass(&mut xs);
            for (i, (got, want)) in xs.iter().zip(&outputs[skip..]).enumerate() {
                assert_eq!(
                    got.to_bits(),
                    *want,
                    "{name} pass, input {}",
                    inputs[skip + i]
                );
            }
        }
    }
}

/// numpy's outputs for every float32 bit pattern in order, streamed from python3.
const EVERY_FLOAT: &str = r#"
import sys, warnings
import numpy as np
warnings.simplefilter("ignore")
f = {"exp": np.exp, "log": np.log}[sys.argv[1]]
out = sys.stdout.buffer
step = 1 << 24
for start in range(0, 1 << 32, step):
    x = np.arange(start, start + step, dtype=np.uint64).astype(np.uint32).view(np.float32)
    out.write(f(x).tobytes())
"#;

fn every_float(name: &str, f: fn(f32) -> f32) {
    let mut child = Command::new("python3")
        .args(["-c", EVERY_FLOAT, name])
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 with numpy");
    let mut numpy = BufReader::with_capacity(1 << 20, child.stdout.take().unwrap());
    let mut buf = vec![0u8; 4 << 20];
    let (mut mismatches, mut count) = (Vec::new(), 0u64);
    let mut x: u64 = 0;
    while x < 1 << 32 {
        numpy.read_exact(&mut buf).expect("numpy's outputs");
        for chunk in buf.chunks_exact(4) {
            let want = u32::from_le_bytes(chunk.try_into().unwrap());
            let got = f(f32::from_bits(x as u32)).to_bits();
            if got != want {
                count += 1;
                if mismatches.len() < 20 {
                    mismatches.push((x as u32, got, want));
                }
            }
            x += 1;
        }
    }
    assert!(child.wait().unwrap().success());
    assert_eq!(
        count, 0,
        "{name}: {count} differ, the first (x, ours, numpy's): {mismatches:#x?}"
    );
}

#[test]
#[ignore = "needs python3 with numpy; 2^32 inputs, two to four minutes each in release"]
fn exp_is_numpys_for_every_float32() {
    every_float("exp", numpy_exp_f32);
}

#[test]
#[ignore = "needs python3 with numpy; 2^32 inputs, two to four minutes each in release"]
fn log_is_numpys_for_every_float32() {
    every_float("log", numpy_log_f32);
}
