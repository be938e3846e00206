//! Printing that never panics. `println!` panics when stdout is a closed pipe (`| head -1`) or a
//! full device (`> /dev/full`); these write instead, remember the first failure, and print nothing
//! more to that stream. The run goes on and writes its files; `main` then ends quietly after a
//! closed pipe (as `ls | head` does) and with one line and a failure status after any other
//! write error.

use std::fmt;
use std::io::{self, Write};
use std::sync::Mutex;

pub use chapter1::text::{clean, shown};

/// The first error writing to stdout, if any: its kind and message.
static STDOUT_ERROR: Mutex<Option<(io::ErrorKind, String)>> = Mutex::new(None);

/// Writes one line to stdout, unless an earlier write to it failed. Control characters other
/// than line breaks are shown escaped: a path or a CSV field cannot reprogram the terminal.
pub fn out(line: fmt::Arguments<'_>) {
    let line = clean(&line.to_string(), true);
    let mut failed = STDOUT_ERROR.lock().unwrap_or_else(|p| p.into_inner());
    if failed.is_some() {
        return;
    }
    let mut stdout = io::stdout().lock();
    if let Err(e) = writeln!(stdout, "{line}").and_then(|()| stdout.flush()) {
        *failed = Some((e.kind(), e.to_string()));
    }
}

/// Writes one line to stderr (line breaks and other control characters shown escaped, so an
/// error stays one line); a failure there has nowhere left to be reported.
pub fn err(line: fmt::Arguments<'_>) {
    let line = clean(&line.to_string(), false);
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// How writing to stdout failed, if it did.
pub fn stdout_error() -> Option<(io::ErrorKind, String)> {
    STDOUT_ERROR
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
}

/// `println!` that never panics (see [`out`]).
macro_rules! outln {
    ($($t:tt)*) => { $crate::console::out(format_args!($($t)*)) };
}
pub(crate) use outln;

/// `eprintln!` that never panics (see [`err`]).
macro_rules! errln {
    ($($t:tt)*) => { $crate::console::err(format_args!($($t)*)) };
}
pub(crate) use errln;

/// The arguments as UTF-8 (`std::env::args` panics on one that is not): an argument that is not
/// is one line, and the status to exit with.
pub fn utf8_args() -> Result<Vec<String>, std::process::ExitCode> {
    let mut args = Vec::new();
    for (i, a) in std::env::args_os().enumerate() {
        match a.into_string() {
            Ok(a) => args.push(a),
            Err(a) => {
                errln!(
                    "error: argument {i} ({}) is not valid UTF-8; dlfs2 takes paths and values as UTF-8 text",
                    shown(&a)
                );
                return Err(std::process::ExitCode::FAILURE);
            }
        }
    }
    Ok(args)
}

/// The status a command ends with: its error as one line (`outer: inner: root`), or, when it
/// succeeded, a failed write to stdout as one line; a closed pipe ends it quietly.
pub fn finish(result: anyhow::Result<()>) -> std::process::ExitCode {
    use std::process::ExitCode;
    let stdout = match stdout_error() {
        None | Some((io::ErrorKind::BrokenPipe, _)) => Ok(()),
        Some((_, message)) => Err(message),
    };
    match (result, stdout) {
        (Ok(()), Ok(())) => ExitCode::SUCCESS,
        (Err(e), _) => {
            errln!("error: {}", format!("{e:#}").replace('\n', " "));
            ExitCode::FAILURE
        }
        (Ok(()), Err(message)) => {
            errln!("error: cannot write to standard output: {message}");
            ExitCode::FAILURE
        }
    }
}
