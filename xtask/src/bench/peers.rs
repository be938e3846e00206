//! `cargo xtask bench --vs-numpy`: each workload in dlfs2, in numpy (`bench/numpy_workloads.py`,
//! the book's math in plain numpy) and, for W1 and W3 where JAX is installed, in JAX
//! (`bench/jax_workloads.py`: W1 as one jitted `lax.scan`, W3 as one jitted step on XLA),
//! alternately in the same invocation, two rounds each, and the ratios of their medians. A peer that cannot run here is reported as
//! `skipped: …` and the rest still runs.

use std::path::Path;
use std::process::Command;

use super::isa::Held;

use anyhow::{Context, Result};
use serde_json::{Value, json};

/// A Python implementation the workloads are compared with.
struct Peer {
    /// `numpy` or `jax`: the module imported, and the prefix of its JSON keys.
    name: &'static str,
    script: &'static str,
    /// The workloads its script implements.
    workloads: &'static [&'static str],
}

/// The numpy workloads' script.
pub(super) const NUMPY_SCRIPT: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/bench/numpy_workloads.py");

const PEERS: [Peer; 2] = [
    Peer {
        name: "numpy",
        script: NUMPY_SCRIPT,
        workloads: &["w1", "w2", "w3", "w3gemm"],
    },
    Peer {
        name: "jax",
        script: concat!(env!("CARGO_MANIFEST_DIR"), "/bench/jax_workloads.py"),
        workloads: &["w1", "w3"],
    },
];

/// numpy's version when `python3` can import it here; `Err(why)` when not.
pub(super) fn numpy_available() -> std::result::Result<String, String> {
    available(&PEERS[0])
}

/// The peer's version when `python3` can import it here; `Err(why)` when not.
fn available(peer: &Peer) -> std::result::Result<String, String> {
    let code = format!("import {0}; print({0}.__version__)", peer.name);
    let out = Command::new("python3")
        .args(["-c", &code])
        .output()
        .map_err(|e| format!("python3 cannot run ({e})"))?;
    if !out.status.success() {
        return Err(format!("python3 has no {0} (pip install {0})", peer.name));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn samples(v: &Value) -> Vec<f64> {
    v["samples"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

/// Runs every `(workload, precision)` in dlfs2 (`exe bench-run`) and each available peer,
/// alternately, two rounds of `runs` samples each; returns one row per pair with every median and
/// the ratios (peer time / dlfs2 time: above 1 means dlfs2 is faster).
pub fn compare(held: &Held, exe: &Path, runs: u16, workloads: &[String]) -> Result<Vec<Value>> {
    let mut peers = Vec::new();
    for peer in &PEERS {
        match available(peer) {
            Ok(version) => peers.push((peer, version)),
            Err(why) => crate::console::errln!("skipped: the {} comparison ({why})", peer.name),
        }
    }
    if peers.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows = Vec::new();
    for w in workloads
        .iter()
        .filter(|w| matches!(w.as_str(), "w1" | "w2" | "w3" | "w3gemm"))
    {
        let here: Vec<_> = peers
            .iter()
            .filter(|(p, _)| p.workloads.contains(&w.as_str()))
            .collect();
        for p in ["f64", "f32"] {
            let mut ours = Vec::new();
            let mut theirs = vec![Vec::new(); here.len()];
            let mut row = json!({ "workload": w, "precision": p });
            for round in 1..=2 {
                crate::console::errln!("{w} {p}: round {round}, dlfs2 then its peers ...");
                let r = held
                    .command(exe)
                    .args(["bench-run", w, p, "--runs", &runs.to_string()])
                    .output()
                    .context("cannot start the dlfs2 workload")?;
                let r = super::results::last_json(&r, &format!("dlfs2 {w} {p}"))?;
                ours.extend(samples(&r));
                row["unit"] = r["unit"].clone();
                // W3's products one by one (each one's best time), from the last round.
                if let Some(each) = r.get("products_ms") {
                    row["dlfs2_products_ms"] = each.clone();
                }
                for ((peer, version), acc) in here.iter().zip(&mut theirs) {
                    let n = held
                        .command("python3")
                        .args([peer.script, w, p, &runs.to_string()])
                        .output()
                        .context("cannot start python3")?;
                    let n = super::results::last_json(&n, &format!("{} {w} {p}", peer.name))?;
                    held.check_peer(&format!("{} {w} {p}", peer.name), &n)?;
                    row[format!("{}_cpuid_masked", peer.name)] = n["cpuid_masked"].clone();
                    if let Some(each) = n.get("products_ms") {
                        row[format!("{}_products_ms", peer.name)] = each.clone();
                    }
                    acc.extend(samples(&n));
                    row[peer.name] = json!(version);
                    if peer.name == "numpy" {
                        row["blas"] = n["blas"].clone();
                    }
                }
            }
            // Medians, and the fastest samples too: on a shared machine the noise only ever
            // slows a run down, so the minimum is the steadier estimate of either's speed.
            let (a, a_min, _) = super::results::stats(&ours);
            row["dlfs2_median"] = json!(a);
            row["dlfs2_min"] = json!(a_min);
            for ((peer, _), s) in here.iter().zip(&theirs) {
                let (b, b_min, _) = super::results::stats(s);
                row[format!("{}_samples", peer.name)] = json!(s);
                row[format!("{}_median", peer.name)] = json!(b);
                row[format!("{}_over_dlfs2", peer.name)] = json!(b / a);
                row[format!("{}_min", peer.name)] = json!(b_min);
                row[format!("{}_min_over_dlfs2_min", peer.name)] = json!(b_min / a_min);
            }
            row["dlfs2_samples"] = json!(ours);
            rows.push(row);
        }
    }
    Ok(rows)
}

/// The comparison as a markdown table (a peer that did not run shows `—`).
pub fn table(rows: &[Value]) -> String {
    let mut t = String::from(
        "| workload | precision | dlfs2 (median) | numpy (median) | jax (median) | unit | numpy / dlfs2 | jax / dlfs2 | fastest: numpy / dlfs2 | fastest: jax / dlfs2 |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
    let num = |r: &Value, k: &str, suffix: &str| {
        r[k].as_f64()
            .map_or("—".to_string(), |v| format!("{v:.3}{suffix}"))
    };
    for r in rows {
        t.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r["workload"].as_str().unwrap_or(""),
            r["precision"].as_str().unwrap_or(""),
            num(r, "dlfs2_median", ""),
            num(r, "numpy_median", ""),
            num(r, "jax_median", ""),
            r["unit"].as_str().unwrap_or(""),
            num(r, "numpy_over_dlfs2", "x"),
            num(r, "jax_over_dlfs2", "x"),
            num(r, "numpy_min_over_dlfs2_min", "x"),
            num(r, "jax_min_over_dlfs2_min", "x"),
        ));
    }
    t
}
