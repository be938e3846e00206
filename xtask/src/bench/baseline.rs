//! `cargo xtask bench --baseline PREVIOUS`: the workloads in this binary and in a previous build of
//! it (another `xtask-bench`, e.g. built from an earlier commit), alternately in one invocation, so
//! that "not slower than before" is a ratio measured side by side, not two figures from two days.
//! Rounds alternate which binary goes first, so a machine that speeds up or slows down during the
//! run weighs on both alike.

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::isa::Held;
use super::results::{last_json, samples, stats};

/// Rounds per workload and precision; each round runs both binaries, `runs` samples each.
const ROUNDS: usize = 4;

/// The workloads a previous binary is compared on, and for each the result series compared (W2's
/// full scan and its certified boundary are separate rows).
const SERIES: [(&str, &[&str]); 4] = [
    ("w1", &["samples"]),
    ("w2", &["samples", "certified_samples"]),
    ("w3", &["samples"]),
    ("w3gemm", &["samples"]),
];

/// Refuses a baseline that is not a runnable file, before anything is measured.
pub fn check(previous: &Path) -> Result<()> {
    let meta = std::fs::metadata(previous)
        .with_context(|| format!("the baseline {} cannot be read", previous.display()))?;
    if !meta.is_file() {
        bail!(
            "the baseline {} is not a file (give a previous build's xtask-bench binary)",
            previous.display()
        );
    }
    Ok(())
}

fn one(held: &Held, exe: &Path, (w, p): (&str, &str), runs: u16, who: &str) -> Result<Value> {
    let out = held
        .command(exe)
        .args(["bench-run", w, p, "--runs", &runs.to_string()])
        .output()
        .with_context(|| format!("cannot start the {who} binary {}", exe.display()))?;
    last_json(&out, &format!("{who} {w} {p}"))
}

/// One series' samples from each binary: `(this, previous)`.
type Pair = (Vec<f64>, Vec<f64>);

/// [`ROUNDS`] rounds of workload `w` in precision `p`, each running both binaries, the first of
/// the two alternating; the samples of each series and the unit. `None` when the previous binary
/// cannot run the workload (reported as skipped).
fn rounds(
    held: &Held,
    this: &Path,
    previous: &Path,
    (w, p): (&str, &str),
    series: &[&str],
    runs: u16,
) -> Result<Option<(Vec<Pair>, Value)>> {
    let mut pairs = vec![(Vec::new(), Vec::new()); series.len()];
    let mut unit = Value::Null;
    for round in 0..ROUNDS {
        crate::console::errln!(
            "{w} {p}: round {} of {ROUNDS}, this and the baseline ...",
            round + 1
        );
        for is_this in [round % 2 == 0, round % 2 == 1] {
            let r = if is_this {
                one(held, this, (w, p), runs, "this")?
            } else {
                match one(held, previous, (w, p), runs, "baseline") {
                    Ok(r) => r,
                    Err(e) if round == 0 => {
                        crate::console::errln!("skipped: {w} {p} against the baseline ({e:#})");
                        return Ok(None);
                    }
                    Err(e) => return Err(e),
                }
            };
            for ((ours, theirs), key) in pairs.iter_mut().zip(series) {
                let into = if is_this { ours } else { theirs };
                into.extend(samples(&r, key));
            }
            unit = r["unit"].clone();
        }
    }
    Ok(Some((pairs, unit)))
}

/// Runs every selected workload of [`SERIES`] in `this` and `previous` ([`rounds`], `runs`
/// samples a round); one row per workload, precision and series with both medians and
/// `previous / this` (above 1: this binary is faster), and the same of their fastest samples.
pub fn compare(
    held: &Held,
    this: &Path,
    previous: &Path,
    runs: u16,
    workloads: &[String],
) -> Result<Vec<Value>> {
    let mut rows = Vec::new();
    for (w, series) in SERIES
        .iter()
        .filter(|(w, _)| workloads.iter().any(|x| x == w))
    {
        for p in ["f64", "f32"] {
            let Some((pairs, unit)) = rounds(held, this, previous, (w, p), series, runs)? else {
                continue;
            };
            for (key, (a, b)) in series.iter().zip(&pairs) {
                if a.is_empty() || b.is_empty() {
                    continue;
                }
                let ((ma, a_min, _), (mb, b_min, _)) = (stats(a), stats(b));
                rows.push(json!({
                    "workload": w, "precision": p, "series": key, "unit": unit,
                    "this_samples": a, "previous_samples": b,
                    "this_median": ma, "previous_median": mb, "previous_over_this": mb / ma,
                    "this_min": a_min, "previous_min": b_min, "previous_min_over_this_min": b_min / a_min,
                }));
            }
        }
    }
    Ok(rows)
}

/// The comparison as a markdown table.
pub fn table(rows: &[Value]) -> String {
    let mut t = String::from(
        "| workload | precision | series | this (median) | previous (median) | unit | previous / this | fastest: previous / this |\n|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        t.push_str(&format!(
            "| {} | {} | {} | {:.3} | {:.3} | {} | {:.3}x | {:.3}x |\n",
            r["workload"].as_str().unwrap_or(""),
            r["precision"].as_str().unwrap_or(""),
            r["series"].as_str().unwrap_or(""),
            r["this_median"].as_f64().unwrap_or(f64::NAN),
            r["previous_median"].as_f64().unwrap_or(f64::NAN),
            r["unit"].as_str().unwrap_or(""),
            r["previous_over_this"].as_f64().unwrap_or(f64::NAN),
            r["previous_min_over_this_min"].as_f64().unwrap_or(f64::NAN),
        ));
    }
    t
}
