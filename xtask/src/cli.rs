//! Command-line parsing: clap's derive API, with its multi-line errors folded into one line.

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
    /// Run the benchmark workloads (W1, W2, W3, pipeline) and print a table.
    #[command(allow_negative_numbers = true)]
    Bench(crate::bench::BenchArgs),
    /// The CUDA checks and GPU timings, for an NVIDIA machine (build with --features cuda).
    #[command(allow_negative_numbers = true)]
    GpuCheck(crate::gpu_check::GpuCheckArgs),
    /// One benchmark workload in this process (used by `bench`).
    #[command(hide = true)]
    BenchRun(crate::bench::BenchRunArgs),
}

/// Parses the arguments; on `--help` prints it and returns `Err(SUCCESS)`, on a bad argument
/// prints one line and returns `Err(FAILURE)`.
pub fn parse(args: Vec<String>) -> Result<Cli, ExitCode> {
    Cli::try_parse_from(args).map_err(|e| {
        use clap::error::ErrorKind;
        if matches!(
            e.kind(),
            ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        ) {
            let _ = e.print();
            return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
        let text = e.render().to_string();
        let line: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| {
                !l.is_empty() && !l.starts_with("For more information") && !l.starts_with("Usage:")
            })
            .collect();
        crate::console::errln!("{}", line.join(" "));
        ExitCode::FAILURE
    })
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Chapter1(args) => {
            let done = chapter1::run(&args.config(), &mut Console { quiet: args.quiet })?;
            outln!(
                "chapter 1 done in {:.2} s: Trainer accuracy {:.3}, final loss {:.4}; outputs in {} (open {})",
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
            outln!(
                "compare: {} runs in {:.2} s; outputs in {} (open {})",
                done.runs.len(),
                done.seconds,
                crate::console::shown(&done.out),
                chapter1::files::COMPARE_HTML
            );
            Ok(())
        }
        Command::Bench(args) => crate::bench::run(&args),
        Command::GpuCheck(args) => crate::gpu_check::run(&args),
        Command::BenchRun(args) => crate::bench::run_one(&args),
    }
}
