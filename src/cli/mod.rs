//! The command line: `worklog-ls [--stdio]` serves LSP, `worklog-ls check`
//! runs the server's analysis over files and folders (for CI and `pre-commit`).
//!
//! - [`args`]: the arguments (`clap` derive): what `--help` says.
//! - [`check`]: which files, which project root, what the analysis says.
//! - [`human`]: diagnostics rendered with `annotate-snippets`, colour through
//!   `anstream` (`--color`, `NO_COLOR`, `CLICOLOR_FORCE`).
//! - [`machine`]: `--format json` (one object, docs/cli.md) and `--format sarif`.
//! - [`next`], [`handoff`], [`status`]: the hand-off commands over
//!   `crate::handoff` (start the next entry, the compact copy, the status line).
//!
//! Exit status: 0 when no errors (warnings allowed), 1 when any error
//! diagnostic, 2 for usage or I/O errors.

pub mod args;
pub mod check;
pub mod handoff;
pub mod human;
pub mod machine;
pub mod next;
pub mod status;

use std::io::Write;
use std::process::ExitCode;

pub use args::{CheckArgs, Cli, ColorWhen, Command, Format, HandoffArgs, NextArgs, StatusArgs, StatusFormat};
pub use check::{check_paths, check_paths_with, FileReport, Outcome};

/// Run `worklog-ls check` with the process's stdout and stderr; the exit
/// status. `--color auto` is anstream's choice per stream: `NO_COLOR` wins
/// over `CLICOLOR_FORCE`, which wins over "is it a terminal".
pub fn run_check(args: &CheckArgs) -> ExitCode {
    let choice = match args.color {
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
        ColorWhen::Auto => anstream::ColorChoice::Auto,
    };
    let mut out = anstream::AutoStream::new(std::io::stdout().lock(), choice);
    let mut err = anstream::AutoStream::new(std::io::stderr().lock(), choice);
    let code = check(args, &mut out, &mut err);
    let _ = out.flush();
    ExitCode::from(code)
}

/// Run `check` writing to `out` (results) and `err` (notes, I/O errors).
/// Output is styled with ANSI escapes; `out`/`err` decide whether they keep
/// them (an `anstream::AutoStream` strips them when colour is off). Machine
/// formats are never styled. Returns the exit status.
pub fn check(args: &CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let outcome = check_paths_with(&args.paths, args.root.as_deref(), args.history);
    let written = match args.format {
        Format::Human => human::write(&outcome, out, err),
        Format::Json => machine::write_json(&outcome, out),
        Format::Sarif => machine::write_sarif(&outcome, out),
    };
    if args.format != Format::Human {
        // Machine formats carry these too; people reading stderr see them.
        human::write_problems(&outcome, err);
    }
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            let _ = writeln!(err, "worklog-ls: cannot write the output: {e}");
        }
        return 2;
    }
    outcome.exit_code()
}
