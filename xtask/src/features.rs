//! `cargo xtask chapter1 --features cuda`: cargo's alias passes `--features` to this program, not
//! to cargo, so a build without the feature re-runs itself through cargo with it.

use std::process::{Command, ExitCode};

/// What to do after looking at `--features`.
pub enum Resolved {
    /// Go on with these arguments (`--features` removed).
    Run(Vec<String>),
    /// A rebuilt copy ran; exit with its status.
    Exited(ExitCode),
}

/// Features this binary was compiled with.
fn compiled() -> Vec<&'static str> {
    let mut f = Vec::new();
    if cfg!(feature = "cuda") {
        f.push("cuda");
    }
    f
}

/// Removes `--features X` / `--features=X` from `args`; if X names a feature this build lacks,
/// runs `cargo run --release -p xtask --features X -- <args>` instead.
pub fn resolve(args: Vec<String>) -> Resolved {
    let mut rest = Vec::with_capacity(args.len());
    let mut wanted: Vec<String> = Vec::new();
    let takes_value = options_with_values(args.get(1).map(String::as_str));
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        if a == "--" {
            rest.push(a);
            rest.extend(it.by_ref());
        } else if takes_value.contains(&a) {
            // `--out --features`: the word after an option that takes a value is that value.
            rest.push(a);
            rest.extend(it.next());
        } else if a == "--features" {
            wanted.extend(it.next().into_iter().flat_map(|v| split(&v)));
        } else if let Some(v) = a.strip_prefix("--features=") {
            wanted.extend(split(v));
        } else {
            rest.push(a);
        }
    }
    let have = compiled();
    let missing: Vec<&String> = wanted
        .iter()
        .filter(|f| !have.contains(&f.as_str()))
        .collect();
    if missing.is_empty() {
        return Resolved::Run(rest);
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let status = Command::new(&cargo)
        .args([
            "run",
            "--release",
            "--quiet",
            "--manifest-path",
            manifest,
            "--features",
        ])
        .arg(wanted.join(","))
        .arg("--")
        .args(&rest[1..])
        .status();
    match status {
        Ok(s) if s.success() => Resolved::Exited(ExitCode::SUCCESS),
        Ok(s) => Resolved::Exited(ExitCode::from(s.code().unwrap_or(1).clamp(1, 255) as u8)),
        Err(e) => {
            crate::console::errln!(
                "error: this build lacks --features {}, and running cargo to rebuild with it failed: {e}",
                wanted.join(",")
            );
            Resolved::Exited(ExitCode::FAILURE)
        }
    }
}

/// The long options of `subcommand` that take a value (`--out`, `--lr`, ...), from the CLI's own
/// definition.
fn options_with_values(subcommand: Option<&str>) -> Vec<String> {
    use clap::CommandFactory;
    let cli = crate::cli::Cli::command();
    let Some(cmd) = subcommand.and_then(|s| cli.find_subcommand(s)) else {
        return Vec::new();
    };
    cmd.get_arguments()
        .filter(|a| a.get_action().takes_values())
        .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
        .collect()
}

fn split(v: &str) -> Vec<String> {
    v.split([',', ' '])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}
