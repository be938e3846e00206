//! `cargo xtask gpu-check`: the CUDA checks and GPU timings in one command, for an NVIDIA machine.
//!
//! Runs from a release binary built elsewhere (`cargo build --release -p xtask --features cuda`,
//! then copy `target/release/xtask`): it needs the NVIDIA driver and the CUDA toolkit's NVRTC and
//! cuBLAS libraries at run time, nothing else. It prints a report and exits non-zero when a check
//! fails:
//! 1. the device;
//! 2. every op on the GPU against the CPU, f32 and f64 (`testkit::parity`, the device tests' check);
//! 3. the chapter's `train.py` run on the GPU against the CPU (loss curves within 1e-9 / 1e-4);
//! 4. timings of W1 (µs/step), W2 (ms) and W3 (GFLOP/s) on the GPU and on the CPU.

use std::fmt::Write as _;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use tensor::{Device, Element};
use train::{TRAIN_PY, book_run};

use crate::GpuCheckArgs;
use crate::bench::workloads;

fn median(v: &Value, key: &str) -> f64 {
    let mut s: Vec<f64> = v[key]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default();
    s.sort_by(f64::total_cmp);
    s.get(s.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The report: each line is printed as soon as it is known (a crash on the GPU still leaves
/// everything before it on screen) and kept for the end.
#[derive(Default)]
struct Report {
    text: String,
    failures: Vec<String>,
}

impl Report {
    fn line(&mut self, line: impl AsRef<str>) {
        crate::console::outln!("{}", line.as_ref());
        let _ = writeln!(self.text, "{}", line.as_ref());
    }

    fn fail(&mut self, what: impl Into<String>) {
        self.failures.push(what.into());
    }
}

fn chapter_run<T: Element>(device: Device, tol: f64, report: &mut Report) -> Value {
    let runs = book_run::<T>(1984, Device::Cpu, &TRAIN_PY)
        .and_then(|cpu| Ok((book_run::<T>(1984, device, &TRAIN_PY)?, cpu)));
    let (gpu, cpu) = match runs {
        Ok(pair) => pair,
        Err(e) => {
            report.line(format!(
                "| {} | error: {e} | | | | FAIL |",
                T::DTYPE.as_str()
            ));
            report.fail(format!("train.py run {}: {e}", T::DTYPE.as_str()));
            return json!({ "precision": T::DTYPE.as_str(), "error": e.to_string(), "ok": false });
        }
    };
    let worst = cpu.max_loss_diff(&gpu);
    let ok = worst <= tol && cpu.accuracy == gpu.accuracy;
    report.line(format!(
        "| {} | {:.3e} | {:.0e} | {:.3} | {:.3} | {} |",
        T::DTYPE.as_str(),
        worst,
        tol,
        cpu.accuracy,
        gpu.accuracy,
        if ok { "ok" } else { "FAIL" }
    ));
    if !ok {
        report.fail(format!(
            "train.py run {}: loss difference {worst:e}",
            T::DTYPE.as_str()
        ));
    }
    json!({ "precision": T::DTYPE.as_str(), "max_loss_diff": worst, "tolerance": tol, "cpu_accuracy": cpu.accuracy, "gpu_accuracy": gpu.accuracy, "ok": ok })
}

/// One workload on the GPU and on the CPU, as a report row.
fn timing(
    report: &mut Report,
    precision: &str,
    name: &str,
    run: impl Fn(Device) -> Result<Value>,
    device: Device,
) -> Value {
    let (g, c) = match run(device).and_then(|g| Ok((g, run(Device::Cpu)?))) {
        Ok(pair) => pair,
        Err(e) => {
            report.line(format!("| {name} | {precision} | error: {e} | | |"));
            report.fail(format!("{name} {precision}: {e}"));
            return json!({ "workload": name, "precision": precision, "error": e.to_string() });
        }
    };
    let (gm, cm) = (median(&g, "samples"), median(&c, "samples"));
    let unit = g["unit"].as_str().unwrap_or("");
    let extra = |v: &Value| {
        let mut s = String::new();
        if v.get("gflops").is_some() {
            s += &format!(" ({:.1} GFLOP/s)", median(v, "gflops"));
        }
        if let Some(l) = v.get("kernel_launches_per_step").and_then(Value::as_f64)
            && l > 0.0
        {
            s += &format!(" ({l:.1} launches/step)");
        }
        s
    };
    report.line(format!(
        "| {} | {precision} | {gm:.3} {unit}{} | {cm:.3} {unit}{} | {:.2}× |",
        g["workload"].as_str().unwrap_or(name),
        extra(&g),
        extra(&c),
        cm / gm
    ));
    json!({ "gpu": g, "cpu": c })
}

/// Runs the checks and prints the report. `--device cpu` compares the CPU with itself: a smoke test
/// of this command on a machine without a GPU.
///
/// A check that errors is reported as failed and the next one runs, so one run shows everything.
pub fn run(args: &GpuCheckArgs) -> Result<()> {
    let device: Device = args.device.parse()?;
    device
        .ensure_available()
        .context("gpu-check needs a usable CUDA device")?;
    let mut report = Report::default();
    report.line(format!(
        "# dlfs2 gpu-check\n\ndevice: {}\n",
        device.describe()
    ));

    let (atol64, rtol64) = testkit::parity::tolerance::<f64>();
    let (atol32, rtol32) = testkit::parity::tolerance::<f32>();
    report.line(format!(
        "## Ops against the CPU\n\ntolerance |gpu - cpu| <= atol + rtol·|cpu|: f64 {atol64:e} + {rtol64:e}·|cpu|, f32 {atol32:e} + {rtol32:e}·|cpu|; classes: at most 1 in 1000 differ\n\n| op | dtype | max abs diff | worst / tolerance | ok |\n|---|---|---|---|---|"
    ));
    let rows = testkit::parity::check_device(device)?;
    for r in &rows {
        match &r.error {
            Some(e) => report.line(format!("| {} | {} | error: {e} | | FAIL |", r.op, r.dtype)),
            None => report.line(format!(
                "| {} | {} | {:.3e} | {:.3} | {} |",
                r.op,
                r.dtype,
                r.max_abs,
                r.worst_ratio,
                if r.ok { "ok" } else { "FAIL" }
            )),
        }
        if !r.ok {
            report.fail(format!("{} {}", r.op, r.dtype));
        }
    }
    report.line(
        "\n## The chapter's train.py run, GPU against CPU\n\n| precision | max loss diff | tolerance | CPU accuracy | GPU accuracy | ok |\n|---|---|---|---|---|---|",
    );
    let runs = vec![
        chapter_run::<f64>(device, 1e-9, &mut report),
        chapter_run::<f32>(device, 1e-4, &mut report),
    ];

    let mut timings = Vec::new();
    if !args.no_timings {
        report.line(format!(
            "\n## Timings (medians of {} runs)\n\n| workload | precision | GPU | CPU | GPU speed-up |\n|---|---|---|---|---|",
            args.runs
        ));
        let n = usize::from(args.runs);
        timings.push(timing(
            &mut report,
            "f64",
            "W1",
            |d| workloads::w1::<f64>(n, d),
            device,
        ));
        timings.push(timing(
            &mut report,
            "f64",
            "W2",
            |d| workloads::w2::<f64>(n, d),
            device,
        ));
        timings.push(timing(
            &mut report,
            "f64",
            "W3",
            |d| workloads::w3::<f64>(n, d),
            device,
        ));
        timings.push(timing(
            &mut report,
            "f32",
            "W1",
            |d| workloads::w1::<f32>(n, d),
            device,
        ));
        timings.push(timing(
            &mut report,
            "f32",
            "W2",
            |d| workloads::w2::<f32>(n, d),
            device,
        ));
        timings.push(timing(
            &mut report,
            "f32",
            "W3",
            |d| workloads::w3::<f32>(n, d),
            device,
        ));
    }
    let failures = std::mem::take(&mut report.failures);
    let verdict = if failures.is_empty() {
        "all checks passed".to_string()
    } else {
        format!("FAILED: {}", failures.join(", "))
    };
    report.line(format!("\n{verdict}"));
    if let Some(path) = &args.json {
        let doc = json!({ "device": device.describe(), "ops": rows.iter().map(|r| json!({"op": r.op, "dtype": r.dtype, "max_abs": r.max_abs, "worst_ratio": r.worst_ratio, "ok": r.ok, "error": r.error})).collect::<Vec<_>>(), "train_py": runs, "timings": timings, "ok": failures.is_empty(), "report": report.text });
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
