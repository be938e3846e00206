//! `cargo xtask gpu-check`: the CUDA checks and GPU timings in one command, for an NVIDIA machine.
//!
//! Runs from a release binary built elsewhere (`cargo build --release -p xtask --features cuda`,
//! then copy `target/release/xtask`): it needs the NVIDIA driver and the CUDA toolkit's NVRTC and
//! cuBLAS libraries at run time, nothing else. It prints a report and exits non-zero when a check
//! fails:
//! 1. the device;
//! 2. every op on the GPU against the CPU, f32 and f64 (`tensor::parity`, the device tests' check);
//! 3. the chapter's `train.py` run on the GPU against the CPU (loss curves within 1e-9 / 1e-4);
//! 4. timings of W1 (µs/step), W2 (ms) and W3 (GFLOP/s) on the GPU and on the CPU.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use tensor::{Device, Float};
use train::{TRAIN_PY, book_run};

use crate::bench::workloads;

/// Settings of `cargo xtask gpu-check`.
#[derive(Debug, Clone, clap::Args)]
pub struct GpuCheckArgs {
    /// The GPU: cuda or cuda:N.
    #[arg(long, default_value = "cuda:0")]
    pub device: String,
    /// Timing samples per workload.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Skip the timings (checks only).
    #[arg(long)]
    pub no_timings: bool,
}

fn median(v: &Value, key: &str) -> f64 {
    let mut s: Vec<f64> = v[key]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default();
    s.sort_by(f64::total_cmp);
    s.get(s.len() / 2).copied().unwrap_or(f64::NAN)
}

fn chapter_run<T: Float>(
    device: Device,
    tol: f64,
    report: &mut String,
    failures: &mut Vec<String>,
) -> Result<Value> {
    let cpu = book_run::<T>(1984, Device::Cpu, &TRAIN_PY)?;
    let gpu = book_run::<T>(1984, device, &TRAIN_PY)?;
    let worst = cpu.max_loss_diff(&gpu);
    let ok = worst <= tol && cpu.accuracy == gpu.accuracy;
    let _ = writeln!(
        report,
        "| {} | {:.3e} | {:.0e} | {:.3} | {:.3} | {} |",
        T::NAME,
        worst,
        tol,
        cpu.accuracy,
        gpu.accuracy,
        if ok { "ok" } else { "FAIL" }
    );
    if !ok {
        failures.push(format!(
            "train.py run {}: loss difference {worst:e}",
            T::NAME
        ));
    }
    Ok(
        json!({ "precision": T::NAME, "max_loss_diff": worst, "tolerance": tol, "cpu_accuracy": cpu.accuracy, "gpu_accuracy": gpu.accuracy, "ok": ok }),
    )
}

/// Runs the checks and prints the report. `--device cpu` compares the CPU with itself: a smoke test
/// of this command on a machine without a GPU.
pub fn run(args: &GpuCheckArgs) -> Result<()> {
    let device: Device = args.device.parse()?;
    device
        .ensure_available()
        .context("gpu-check needs a usable CUDA device")?;
    let mut report = format!("# dlfs2 gpu-check\n\ndevice: {}\n\n", device.describe());
    let mut failures = Vec::new();

    let rows = tensor::parity::check_device(device)?;
    let (atol64, rtol64) = tensor::parity::tolerance::<f64>();
    let (atol32, rtol32) = tensor::parity::tolerance::<f32>();
    let _ = writeln!(
        report,
        "## Ops against the CPU\n\ntolerance |gpu - cpu| <= atol + rtol·|cpu|: f64 {atol64:e} + {rtol64:e}·|cpu|, f32 {atol32:e} + {rtol32:e}·|cpu|; classes: at most 1 in 1000 differ\n\n| op | dtype | max abs diff | worst / tolerance | ok |\n|---|---|---|---|---|"
    );
    for r in &rows {
        let _ = writeln!(
            report,
            "| {} | {} | {:.3e} | {:.3} | {} |",
            r.op,
            r.dtype,
            r.max_abs,
            r.worst_ratio,
            if r.ok { "ok" } else { "FAIL" }
        );
        if !r.ok {
            failures.push(format!("{} {}", r.op, r.dtype));
        }
    }
    let _ = writeln!(
        report,
        "\n## The chapter's train.py run, GPU against CPU\n\n| precision | max loss diff | tolerance | CPU accuracy | GPU accuracy | ok |\n|---|---|---|---|---|---|"
    );
    let runs = vec![
        chapter_run::<f64>(device, 1e-9, &mut report, &mut failures)?,
        chapter_run::<f32>(device, 1e-4, &mut report, &mut failures)?,
    ];

    let _ = writeln!(
        report,
        "\n## Timings (medians of {} runs)\n\n| workload | precision | GPU | CPU | GPU speed-up |\n|---|---|---|---|---|",
        args.runs
    );
    let mut timings = Vec::new();
    for precision in ["f64", "f32"].into_iter().filter(|_| !args.no_timings) {
        let pair = |d: Device| -> Result<[Value; 3]> {
            Ok(if precision == "f64" {
                [
                    workloads::w1::<f64>(args.runs, d)?,
                    workloads::w2::<f64>(args.runs, d)?,
                    workloads::w3::<f64>(args.runs, d)?,
                ]
            } else {
                [
                    workloads::w1::<f32>(args.runs, d)?,
                    workloads::w2::<f32>(args.runs, d)?,
                    workloads::w3::<f32>(args.runs, d)?,
                ]
            })
        };
        let gpu = pair(device)?;
        let cpu = pair(Device::Cpu)?;
        for (g, c) in gpu.iter().zip(&cpu) {
            let (gm, cm) = (median(g, "samples"), median(c, "samples"));
            let unit = g["unit"].as_str().unwrap_or("");
            let extra = |v: &Value| {
                if v.get("gflops").is_some() {
                    format!(" ({:.1} GFLOP/s)", median(v, "gflops"))
                } else {
                    String::new()
                }
            };
            let _ = writeln!(
                report,
                "| {} | {precision} | {gm:.3} {unit}{} | {cm:.3} {unit}{} | {:.2}× |",
                g["workload"].as_str().unwrap_or("?"),
                extra(g),
                extra(c),
                cm / gm
            );
            timings.push(json!({ "gpu": g, "cpu": c }));
        }
    }
    let verdict = if failures.is_empty() {
        "all checks passed".to_string()
    } else {
        format!("FAILED: {}", failures.join(", "))
    };
    let _ = writeln!(report, "\n{verdict}");
    println!("{report}");
    if let Some(path) = &args.json {
        let doc = json!({ "device": device.describe(), "ops": rows.iter().map(|r| json!({"op": r.op, "dtype": r.dtype, "max_abs": r.max_abs, "worst_ratio": r.worst_ratio, "ok": r.ok})).collect::<Vec<_>>(), "train_py": runs, "timings": timings, "ok": failures.is_empty() });
        std::fs::write(path, serde_json::to_string_pretty(&doc)? + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if !failures.is_empty() {
        bail!(
            "gpu-check: {} check(s) failed: {}",
            failures.len(),
            failures.join(", ")
        );
    }
    Ok(())
}
