//! `xtask-bench`: the measuring commands, `cargo xtask bench` (and the per-process `bench-run`
//! it spawns) and `cargo xtask gpu-check`, in a binary of their own so that the chapter's binary
//! compiles none of them; `cargo xtask` hands these commands over (see `forward.rs`). Errors
//! print as one line on stderr and exit with status 1.

mod bench;
mod console;
#[cfg(feature = "cuda")]
mod gpu_check;
mod parse;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// dlfs2's measurements: benchmarks and the GPU checks.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the benchmark workloads (W1, W2, W3, pipeline) and print a table.
    #[command(allow_negative_numbers = true)]
    Bench(bench::BenchArgs),
    /// The CUDA checks and GPU timings, for an NVIDIA machine (build with --features cuda).
    #[command(allow_negative_numbers = true)]
    GpuCheck(GpuCheckArgs),
    /// One benchmark workload in this process (used by `bench`).
    #[command(hide = true)]
    BenchRun(bench::BenchRunArgs),
}

/// Settings of `cargo xtask gpu-check`.
#[derive(Debug, Clone, clap::Args)]
pub struct GpuCheckArgs {
    /// The GPU: cuda or cuda:N.
    #[arg(long, default_value = "cuda:0")]
    pub device: String,
    /// Timing samples per workload (1 to 1000).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub runs: u16,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Skip the timings (checks only).
    #[arg(long)]
    pub no_timings: bool,
}

fn main() -> ExitCode {
    let args = match console::utf8_args() {
        Ok(args) => args,
        Err(code) => return code,
    };
    let cli: Cli = match parse::one_line(args) {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    console::finish(match cli.command {
        Command::Bench(args) => bench::run(&args),
        Command::GpuCheck(args) => gpu_check(&args),
        Command::BenchRun(args) => bench::run_one(&args),
    })
}

/// `gpu-check`: the parity check it runs is the device tests' (`testkit`), compiled in only with
/// the CUDA backend, so that a default build compiles no test helpers.
#[cfg(feature = "cuda")]
fn gpu_check(args: &GpuCheckArgs) -> anyhow::Result<()> {
    crate::gpu_check::run(args)
}

/// Without the CUDA backend there is nothing for `gpu-check` to check.
#[cfg(not(feature = "cuda"))]
fn gpu_check(_: &GpuCheckArgs) -> anyhow::Result<()> {
    anyhow::bail!(
        "gpu-check needs the CUDA backend: run `cargo xtask gpu-check --features cuda` (or build with `--features cuda`)"
    )
}
