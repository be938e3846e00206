//! `cargo xtask bench` and `cargo xtask gpu-check` are run by the second binary, `xtask-bench`:
//! the measuring code (the workloads, numpy and JAX alongside, the parity check) is a third of
//! the xtask's compile time, and the chapter's first run needs none of it.

use std::path::Path;
use std::process::{Command, ExitCode};

/// The commands `xtask-bench` runs.
const COMMANDS: [&str; 3] = ["bench", "gpu-check", "bench-run"];

/// Whether `args` (program name first) name a command of `xtask-bench`.
pub fn is_forwarded(args: &[String]) -> bool {
    args.get(1).is_some_and(|c| COMMANDS.contains(&c.as_str()))
}

/// Runs `xtask-bench` with `args` and ends with its status; it prints its own errors. Under cargo
/// (`cargo xtask bench`) cargo builds it first, with this build's features; elsewhere (a copied
/// binary on a GPU machine) it is the `xtask-bench` beside this one.
pub fn run(args: &[String]) -> ExitCode {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let mut c = match std::env::var_os("CARGO") {
        Some(cargo) if Path::new(manifest).is_file() => {
            let mut c = Command::new(cargo);
            c.args(["run", "--release", "--quiet", "--manifest-path", manifest])
                .args(["--bin", "xtask-bench"]);
            if cfg!(feature = "cuda") {
                c.args(["--features", "cuda"]);
            }
            c.arg("--");
            c
        }
        _ => match std::env::current_exe() {
            Ok(exe) => Command::new(exe.with_file_name("xtask-bench")),
            Err(e) => {
                crate::console::errln!("error: cannot find this program's folder: {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    match c.args(args).status() {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(s) => ExitCode::from(s.code().unwrap_or(1).clamp(1, 255) as u8),
        Err(e) => {
            crate::console::errln!(
                "error: cannot run {}: {e} (build it with `cargo build --release -p xtask`, beside xtask)",
                crate::console::shown(c.get_program())
            );
            ExitCode::FAILURE
        }
    }
}
