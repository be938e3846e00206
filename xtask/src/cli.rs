//! The commands of `cargo xtask`. `bench` and `gpu-check` are the measuring binary's
//! (`xtask-bench`, see `forward`): listed here for `--help`, handed over before parsing.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::args::{Chapter1Args, CompareArgs};
use crate::console::outln;
use crate::progress::Console;

/// dlfs2: chapter 1 of "Deep Learning from Scratch 2" in Rust.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the whole chapter: data, custom loop, Trainer, bit precision, GPU; plots and a report.
    #[command(allow_negative_numbers = true)]
    Chapter1(Chapter1Args),
    /// The Trainer run in several settings side by side (default: the six optimizers), on the same
    /// data, initial weights and shuffles.
    #[command(allow_negative_numbers = true)]
    Compare(CompareArgs),
    /// Build the playground: the book's network training live in the browser, one offline page.
    Playground {
        /// The page to write.
        #[arg(long, default_value = "out/playground.html")]
        out: std::path::PathBuf,
    },
    /// Run the benchmark workloads (W1, W2, W3, pipeline) and print a table (`bench --help`).
    #[command(disable_help_flag = true)]
    Bench {
        /// The benchmark's flags.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
        args: Vec<String>,
    },
    /// The CUDA checks and GPU timings, for an NVIDIA machine (`--features cuda`).
    #[command(disable_help_flag = true)]
    GpuCheck {
        /// The check's flags.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
        args: Vec<String>,
    },
}

/// Parses the arguments; on `--help` prints it and returns `Err(SUCCESS)`, on a bad argument
/// prints one line and returns `Err(FAILURE)`.
pub fn parse(args: Vec<String>) -> Result<Cli, ExitCode> {
    crate::parse::one_line(args)
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Chapter1(args) => {
            let done = chapter1::run(&args.config(), &mut Console { quiet: args.quiet })?;
            outln!(
                "chapter 1 done in {:.2} s: Trainer training accuracy {:.3}, final mean batch loss {:.4}; outputs in {} (open {})",
                done.seconds,
                done.accuracy,
                done.final_loss,
                crate::console::shown(&done.out),
                chapter1::files::REPORT_MD
            );
            Ok(())
        }
        Command::Compare(args) => {
            let done = chapter1::compare(&args.config(), &mut Console { quiet: args.quiet })?;
            outln!("{}", done.table());
            outln!(
                "compare: {} runs in {:.2} s; outputs in {} (open {})",
                done.runs.len(),
                done.seconds,
                crate::console::shown(&done.out),
                chapter1::files::COMPARE_HTML
            );
            Ok(())
        }
        Command::Playground { out } => {
            let wasm = crate::playground::build(&out)?;
            outln!(
                "playground: {} ({} KB module); open it in a browser (file://{})",
                crate::console::shown(&out),
                wasm / 1024,
                crate::console::shown(std::path::absolute(&out).unwrap_or(out.clone()))
            );
            Ok(())
        }
        // Handed to `xtask-bench` before parsing (`main`); never parsed here.
        Command::Bench { .. } | Command::GpuCheck { .. } => {
            anyhow::bail!("bench and gpu-check are run by xtask-bench")
        }
    }
}
