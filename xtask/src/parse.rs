//! Command-line parsing for both binaries: clap's derive API, with its multi-line errors folded
//! into one line.

use std::process::ExitCode;

/// Parses the arguments; on `--help` prints it and returns `Err(SUCCESS)`, on a bad argument
/// prints one line and returns `Err(FAILURE)`.
pub fn one_line<C: clap::Parser>(args: Vec<String>) -> Result<C, ExitCode> {
    C::try_parse_from(args).map_err(|e| {
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
