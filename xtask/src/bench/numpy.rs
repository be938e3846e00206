//! `cargo xtask bench --vs-numpy`: each workload in dlfs2 and in numpy (`bench/numpy_workloads.py`,
//! the book's math in plain numpy) alternately in the same invocation, two rounds each, and the
//! ratio of their medians. Without python3 and numpy it says so and runs nothing.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

/// The numpy script.
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/numpy_workloads.py");

/// Whether `python3` with numpy can run here; `Err(why)` when not.
fn available() -> std::result::Result<String, String> {
    let out = Command::new("python3")
        .args(["-c", "import numpy; print(numpy.__version__)"])
        .output()
        .map_err(|e| format!("python3 cannot run ({e})"))?;
    if !out.status.success() {
        return Err("python3 has no numpy (pip install numpy)".to_string());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn last_json(out: &std::process::Output, what: &str) -> Result<Value> {
    if !out.status.success() {
        bail!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.lines().last().unwrap_or(""))
        .with_context(|| format!("{what} printed no result"))
}

fn samples(v: &Value) -> Vec<f64> {
    v["samples"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

/// Runs every `(workload, precision)` in dlfs2 (`exe bench-run`) and numpy, alternately, two
/// rounds of `runs` samples each; returns one row per pair with both medians and their ratio
/// (numpy time / dlfs2 time: above 1 means dlfs2 is faster).
pub fn compare(exe: &Path, runs: u16, workloads: &[String]) -> Result<Vec<Value>> {
    let numpy = match available() {
        Ok(v) => v,
        Err(why) => {
            crate::console::errln!("skipped: the numpy comparison ({why})");
            return Ok(Vec::new());
        }
    };
    let mut rows = Vec::new();
    for w in workloads
        .iter()
        .filter(|w| matches!(w.as_str(), "w1" | "w2" | "w3"))
    {
        for p in ["f64", "f32"] {
            let (mut ours, mut theirs, mut blas) = (Vec::new(), Vec::new(), Value::Null);
            let mut unit = Value::Null;
            for round in 1..=2 {
                crate::console::errln!("{w} {p}: round {round}, dlfs2 then numpy ...");
                let r = Command::new(exe)
                    .args(["bench-run", w, p, "--runs", &runs.to_string()])
                    .output()
                    .context("cannot start the dlfs2 workload")?;
                let r = last_json(&r, &format!("dlfs2 {w} {p}"))?;
                ours.extend(samples(&r));
                unit = r["unit"].clone();
                let n = Command::new("python3")
                    .args([SCRIPT, w, p, &runs.to_string()])
                    .output()
                    .context("cannot start python3")?;
                let n = last_json(&n, &format!("numpy {w} {p}"))?;
                theirs.extend(samples(&n));
                blas = n["blas"].clone();
            }
            let (a, b) = (super::stats(&ours).0, super::stats(&theirs).0);
            rows.push(json!({
                "workload": w, "precision": p, "unit": unit,
                "dlfs2_samples": ours, "numpy_samples": theirs,
                "dlfs2_median": a, "numpy_median": b, "numpy_over_dlfs2": b / a,
                "numpy": numpy, "blas": blas,
            }));
        }
    }
    Ok(rows)
}

/// The comparison as a markdown table.
pub fn table(rows: &[Value]) -> String {
    let mut t = String::from(
        "| workload | precision | dlfs2 (median) | numpy (median) | unit | numpy / dlfs2 |\n|---|---|---|---|---|---|\n",
    );
    for r in rows {
        t.push_str(&format!(
            "| {} | {} | {:.3} | {:.3} | {} | {:.2}x |\n",
            r["workload"].as_str().unwrap_or(""),
            r["precision"].as_str().unwrap_or(""),
            r["dlfs2_median"].as_f64().unwrap_or(f64::NAN),
            r["numpy_median"].as_f64().unwrap_or(f64::NAN),
            r["unit"].as_str().unwrap_or(""),
            r["numpy_over_dlfs2"].as_f64().unwrap_or(f64::NAN),
        ));
    }
    t
}
