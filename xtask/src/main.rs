//! The project's commands, run as `cargo xtask <command>`:
//!
//! - `chapter1`: the whole of chapter 1, from the spiral data to the GPU, with plots and a report;
//! - `compare`: the Trainer run in several settings side by side (optimizers, sizes, rates);
//! - `bench`: the benchmark workloads (see `BENCHMARKS.md`);
//! - `gpu-check`: the CUDA checks and GPU timings, for an NVIDIA machine.
//!
//! Errors print as one line on stderr and exit with status 1. Output never panics (see `console`).

mod args;
mod bench;
mod cli;
mod console;
mod features;
mod gpu_check;
mod oom;
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
    // `std::env::args` panics on an argument that is not UTF-8; read them raw and refuse one.
    let mut args = Vec::new();
    for (i, a) in std::env::args_os().enumerate() {
        match a.into_string() {
            Ok(a) => args.push(a),
            Err(a) => {
                console::errln!(
                    "error: argument {i} ({}) is not valid UTF-8; dlfs2 takes paths and values as UTF-8 text",
                    console::shown(&a)
                );
                return ExitCode::FAILURE;
            }
        }
    }
    let args = match features::resolve(args) {
        features::Resolved::Run(args) => args,
        features::Resolved::Exited(code) => return code,
    };
    let cli = match cli::parse(args) {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let result = cli::run(cli);
    // The run's files are written whatever happened to stdout; a closed pipe ends it quietly.
    let stdout = match console::stdout_error() {
        None | Some((std::io::ErrorKind::BrokenPipe, _)) => Ok(()),
        Some((_, message)) => Err(message),
    };
    match (result, stdout) {
        (Ok(()), Ok(())) => ExitCode::SUCCESS,
        (Err(e), _) => {
            console::errln!("error: {}", one_line(&e));
            ExitCode::FAILURE
        }
        (Ok(()), Err(message)) => {
            console::errln!("error: cannot write to standard output: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line (`outer: inner: root`).
fn one_line(e: &anyhow::Error) -> String {
    format!("{e:#}").replace('\n', " ")
}
