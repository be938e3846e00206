//! The project's commands, run as `cargo xtask <command>`:
//!
//! - `chapter1`: the whole of chapter 1, from the spiral data to the GPU, with plots and a report;
//! - `bench`: the benchmark workloads (see `BENCHMARKS.md`);
//! - `gpu-check`: the CUDA checks and GPU timings, for an NVIDIA machine.
//!
//! Errors print as one line on stderr and exit with status 1.

mod bench;
mod chapter1;
mod cli;
mod features;
mod gpu_check;
mod progress;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match features::resolve(std::env::args().collect()) {
        features::Resolved::Run(args) => args,
        features::Resolved::Exited(code) => return code,
    };
    let cli = match cli::parse(args) {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line (`outer: inner: root`).
fn one_line(e: &anyhow::Error) -> String {
    format!("{e:#}").replace('\n', " ")
}
