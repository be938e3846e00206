//! `cargo xtask bench`: the benchmark workloads, each in its own process, several runs each, with
//! medians, min–max, peak RSS and the speed-up over the straightforward ndarray reference measured
//! in the same run.
//!
//! - **W1** chapter-1 training: the book's `train.py` config (3000 steps), µs per step;
//! - **W2** decision boundary: the book's grid (4,323,264 points) for the trained W1 model, ms;
//! - **W2 fine** (`w2fine`): the class counts of the same grid at h = 0.0001 (432 million points),
//!   certified and storing nothing per point, ms and peak RSS, checked against one streaming scan;
//! - **W3 GEMM** (`w3gemm`): W3's nine matrix products alone, ms (the sum of each one's best time);
//! - **peak**: the CPU's fused multiply-add throughput, one thread and all;
//! - **W3** wide MLP: batch 512×256 through 256–1024–1024–10 with sigmoids, SGD, ms per step and GFLOP/s;
//! - **pipeline**: wall time of `cargo xtask chapter1 --quiet` after the build.

mod baseline;
pub(crate) mod isa;
mod peak;
mod peers;
mod reference;
mod results;
mod scaling;
mod scratch;
mod wide_mlp;
pub(crate) mod workloads;

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use chapter1::Precision;

use results::{samples, stats};

/// Settings of `cargo xtask bench`.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Samples per workload and precision (1 to 1000).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub runs: u16,
    /// Also write the results as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Also run each workload in numpy (`bench/numpy_workloads.py`) and W1, W3 in JAX
    /// (`bench/jax_workloads.py`), alternating with dlfs2 in this invocation, and print the ratios
    /// (needs python3 with numpy, and jax for its column; each is skipped when missing).
    #[arg(long)]
    pub vs_numpy: bool,
    /// Workloads to run, comma-separated: w1, w2, w2fine (h = 0.0001 class counts), w3, w3gemm
    /// (W3's nine matrix products alone), peak (the CPU's FMA throughput), pipeline.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "w1,w2,w2fine,w3,w3gemm,peak,pipeline"
    )]
    pub only: Vec<String>,
    /// Instead of the workloads: how cost grows (W1 against hidden and batch size, W2 against
    /// grid points, certified and full scan, numpy alongside), as a table and a log-log plot.
    #[arg(long)]
    pub scaling: bool,
    /// Also run W1, W2, W3 and W3's products in this previous build of the bench binary
    /// (`xtask-bench` from an earlier commit), alternating with this one, and print
    /// `previous / this` for each (above 1: this build is faster).
    #[arg(long, value_name = "XTASK_BENCH")]
    pub baseline: Option<PathBuf>,
    /// The instruction set every measured process is held to: `native`, or `avx2` (AVX2 + FMA,
    /// no AVX-512: dlfs2, the previous build, numpy and JAX alike; on a CPU with AVX-512 this
    /// masks CPUID in each process, see `bench/cpuid_avx2.c`).
    #[arg(long, value_enum, default_value_t = isa::Isa::Native)]
    pub isa: isa::Isa,
    /// Where `--scaling` draws its plot.
    #[arg(long, default_value = "scaling.png")]
    pub plot: PathBuf,
}

/// The hidden per-process runner: one workload, one precision.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchRunArgs {
    /// w1, w2, w2fine or w3.
    pub workload: String,
    /// Element type.
    #[arg(value_enum)]
    pub precision: Precision,
    /// Samples.
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Device: `cpu`, `cuda` or `cuda:N`.
    #[arg(long, default_value = "cpu")]
    pub device: String,
    /// `w1x`: hidden units.
    #[arg(long, default_value_t = 10)]
    pub hidden: usize,
    /// `w1x`: batch size (a multiple of 3; the data is 10 batches).
    #[arg(long, default_value_t = 30)]
    pub batch: usize,
    /// `w2at`: grid step.
    #[arg(long, default_value_t = 0.001)]
    pub step: f64,
    /// `w2at`: `certified` or `scan`.
    #[arg(long, default_value = "certified")]
    pub mode: String,
}

/// Runs one workload in this process and prints its result as one JSON line.
pub fn run_one(args: &BenchRunArgs) -> Result<()> {
    let device: tensor::Device = args.device.parse()?;
    device.ensure_available()?;
    let result = match (args.workload.as_str(), args.precision) {
        ("w1", Precision::F64) => workloads::w1::<f64>(args.runs, device)?,
        ("w1", Precision::F32) => workloads::w1::<f32>(args.runs, device)?,
        ("w2", Precision::F64) => workloads::w2::<f64>(args.runs, device)?,
        ("w2", Precision::F32) => workloads::w2::<f32>(args.runs, device)?,
        ("w2fine", Precision::F64) => workloads::w2_fine::<f64>(args.runs, device)?,
        ("w2fine", Precision::F32) => workloads::w2_fine::<f32>(args.runs, device)?,
        ("w3", Precision::F64) => workloads::w3::<f64>(args.runs, device)?,
        ("w3", Precision::F32) => workloads::w3::<f32>(args.runs, device)?,
        ("peak", p) => peak::peak(p)?,
        ("isa", _) => isa::probe()?,
        ("w3gemm", Precision::F64) => workloads::w3_gemm::<f64>(args.runs)?,
        ("w3gemm", Precision::F32) => workloads::w3_gemm::<f32>(args.runs)?,
        ("w1x", Precision::F64) => scaling::w1x(args.runs, args.hidden, args.batch)?,
        ("w2at", Precision::F64) => match args.mode.as_str() {
            "certified" | "scan" => scaling::w2at(args.runs, args.step, args.mode == "certified")?,
            m => bail!("unknown --mode '{m}' (expected certified or scan)"),
        },
        ("w1x" | "w2at", Precision::F32) => bail!("the scaling workloads run in f64 only"),
        (w, _) => {
            bail!("unknown workload '{w}' (expected w1, w2, w2fine, w3, w3gemm, peak, w1x or w2at)")
        }
    };
    crate::console::outln!("{}", serde_json::to_string(&result)?);
    Ok(())
}

/// Runs every selected workload in a child process and prints the table.
pub fn run(args: &BenchArgs) -> Result<()> {
    let exe = std::env::current_exe().context("cannot find the xtask binary")?;
    if let Some(previous) = &args.baseline {
        baseline::check(previous)?;
    }
    let held = isa::Held::new(args.isa, &exe)?;
    if args.scaling {
        return scaling::run(&exe, &held, args.runs, args.json.as_deref(), &args.plot);
    }
    let mut devices = vec!["cpu"];
    match tensor::Device::Cuda(0).ensure_available() {
        Ok(()) => devices.push("cuda"),
        Err(e) => crate::console::errln!("GPU figures skipped: {e}"),
    }
    let mut results = Vec::new();
    for w in &args.only {
        match w.as_str() {
            "w1" | "w2" | "w2fine" | "w3" | "w3gemm" | "peak" => {
                for (dev, p) in devices
                    .iter()
                    .flat_map(|d| ["f64", "f32"].map(move |p| (*d, p)))
                    // The certified counts are a CPU algorithm.
                    .filter(|(d, _)| {
                        !matches!(w.as_str(), "w2fine" | "w3gemm" | "peak") || *d == "cpu"
                    })
                {
                    crate::console::errln!("running {w} {p} on {dev} ...");
                    let out = held
                        .command(&exe)
                        .args([
                            "bench-run",
                            w,
                            p,
                            "--runs",
                            &args.runs.to_string(),
                            "--device",
                            dev,
                        ])
                        .output()
                        .with_context(|| format!("cannot start the {w} benchmark"))?;
                    if !out.status.success() {
                        bail!(
                            "{w} {p} failed: {}",
                            String::from_utf8_lossy(&out.stderr).trim()
                        );
                    }
                    let line = String::from_utf8_lossy(&out.stdout);
                    let v: Value = serde_json::from_str(line.lines().last().unwrap_or(""))
                        .with_context(|| format!("{w} {p} printed no result"))?;
                    results.push(v);
                }
            }
            "pipeline" => {
                crate::console::errln!("running pipeline ...");
                // The chapter is the `xtask` binary's, built beside this one.
                let xtask = exe.with_file_name("xtask");
                results.push(workloads::pipeline(&held, &xtask, usize::from(args.runs))?);
            }
            other => bail!(
                "unknown workload '{other}' (expected w1, w2, w2fine, w3, w3gemm, peak or pipeline)"
            ),
        }
    }
    crate::console::outln!("{}", table(&results));
    let numpy = if args.vs_numpy {
        let rows = peers::compare(&held, &exe, args.runs, &args.only)?;
        if !rows.is_empty() {
            crate::console::outln!("\n{}", peers::table(&rows));
        }
        rows
    } else {
        Vec::new()
    };
    let previous = match &args.baseline {
        Some(previous) => {
            let rows = baseline::compare(&held, &exe, previous, args.runs, &args.only)?;
            crate::console::outln!("\n{}", baseline::table(&rows));
            rows
        }
        None => Vec::new(),
    };
    if let Some(path) = &args.json {
        let doc = json!({
            "machine": workloads::machine(), "isa": held.describe(), "results": results,
            "vs_numpy": numpy,
            "vs_baseline": previous,
            "baseline": args.baseline.as_ref().map(|p| p.display().to_string()),
        });
        std::fs::write(path, serde_json::to_string_pretty(&doc)? + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
        crate::console::outln!("results written to {}", path.display());
    }
    Ok(())
}

/// The results as a Markdown table (medians, min–max, reference and speed-up).
fn table(results: &[Value]) -> String {
    let mut t = String::from(
        "| workload | precision | device | median | min–max | unit | reference median | speed-up | extra | peak RSS |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in results {
        let (med, lo, hi) = stats(&samples(r, "samples"));
        let reference = samples(r, "reference_samples");
        let (ref_med, speedup) = if reference.is_empty() {
            ("—".to_string(), "—".to_string())
        } else {
            let (m, _, _) = stats(&reference);
            (format!("{m:.3}"), format!("{:.1}×", m / med))
        };
        let extra = match (r.get("gflops"), r["scan_ms"].as_f64()) {
            (Some(_), _) => {
                let (g, _, _) = stats(&samples(r, "gflops"));
                format!("{g:.1} GFLOP/s")
            }
            (None, Some(scan)) => format!("streaming full scan {scan:.0} ms, same counts"),
            (None, None) => r["one_thread"]
                .as_f64()
                .map_or(String::new(), |g| format!("one thread {g:.1} GFLOP/s")),
        };
        let rss = r["peak_rss_mb"]
            .as_f64()
            .map_or("—".to_string(), |m| format!("{m:.1} MB"));
        t.push_str(&format!(
            "| {} | {} | {} | {med:.3} | {lo:.3}–{hi:.3} | {} | {ref_med} | {speedup} | {extra} | {rss} |\n",
            r["workload"].as_str().unwrap_or("?"),
            r["precision"].as_str().unwrap_or("?"),
            r["device"].as_str().unwrap_or("cpu"),
            r["unit"].as_str().unwrap_or("?"),
        ));
    }
    t
}
