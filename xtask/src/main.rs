//! The project's commands, run as `cargo xtask <command>`:
//!
//! - `chapter1`: the whole of chapter 1, from the spiral data to the GPU, with plots and a report;
//! - `compare`: the Trainer run in several settings side by side (optimizers, sizes, rates);
//! - `playground`: the browser playground, one offline page;
//! - `bench`: the benchmark workloads (see `BENCHMARKS.md`), and
//! - `gpu-check`: the CUDA checks and GPU timings, for an NVIDIA machine: both run by the second
//!   binary, `xtask-bench` (`bench_main.rs`), so the chapter's build compiles no measuring code.
//!
//! Errors print as one line on stderr and exit with status 1. Output never panics (see `console`).

mod args;
mod cli;
mod console;
mod features;
mod forward;
mod oom;
mod parse;
mod playground;
mod progress;

use std::process::ExitCode;

#[global_allocator]
static ALLOC: oom::WithReserve = oom::WithReserve;

fn main() -> ExitCode {
    // A file-size limit (`ulimit -f`) then fails the write that passes it, with an error naming
    // the file, as a full disk does, instead of killing the process midway.
    // SAFETY: setting a signal's disposition to "ignore" at start-up, before any thread exists.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    oom::install();
    let args = match console::utf8_args() {
        Ok(args) => args,
        Err(code) => return code,
    };
    let args = match features::resolve(args) {
        features::Resolved::Run(args) => args,
        features::Resolved::Exited(code) => return code,
    };
    if forward::is_forwarded(&args) {
        return forward::run(&args[1..]);
    }
    let cli = match cli::parse(args) {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    // The run's files are written whatever happened to stdout; a closed pipe ends it quietly.
    console::finish(cli::run(cli))
}
