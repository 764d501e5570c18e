//! The arguments, as `--help` tells them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const ABOUT: &str = "\
A language server for Work Log Markdown files.
Without a command, serves the Language Server Protocol on stdin/stdout (what editors run).";

const EXIT_STATUS: &str = "\
Exit status:
  0  no errors (warnings allowed)
  1  errors found
  2  usage or I/O error";

/// The command line of `worklog-ls`.
#[derive(Debug, Parser)]
#[command(name = "worklog-ls", version, about = ABOUT, long_about = None)]
#[command(args_conflicts_with_subcommands = true, after_help = EXIT_STATUS)]
pub struct Cli {
    /// Serve LSP on stdin/stdout (the default; accepted for editors that pass it)
    #[arg(long)]
    pub stdio: bool,

    /// Append logs to this file instead of stderr (level from WORKLOG_LOG:
    /// error, warn (default), info, debug, trace)
    #[arg(long, value_name = "PATH", global = true)]
    pub log_file: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check Work Logs in files and folders, as the server would
    #[command(after_help = EXIT_STATUS)]
    Check(CheckArgs),
}

/// `worklog-ls check [PATH…]`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Files or folders to check; folders are walked for *.md and *.markdown,
    /// honouring .gitignore
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Project root for every log: references resolve against it and its
    /// worklog.toml applies [default: per log, the nearest ancestor holding
    /// worklog.toml, else .git; with neither, references are not checked
    /// against the disk]
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// Output format: human-readable, one JSON object (docs/cli.md), or SARIF
    /// 2.1.0 for code-scanning tools
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = Format::Human)]
    pub format: Format,

    /// Colour the human output (auto: when a terminal; NO_COLOR disables,
    /// CLICOLOR_FORCE enables)
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Diagnostics with the source line, and a summary
    #[value(alias = "text")]
    Human,
    /// One JSON object: files, diagnostics, summary
    Json,
    /// SARIF 2.1.0 (one run)
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_parser_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn no_command_serves_and_stdio_is_accepted() {
        let c = Cli::try_parse_from(["worklog-ls"]).unwrap();
        assert!(c.command.is_none() && !c.stdio);
        let c = Cli::try_parse_from(["worklog-ls", "--stdio"]).unwrap();
        assert!(c.command.is_none() && c.stdio);
        assert!(Cli::try_parse_from(["worklog-ls", "--stdio", "check"]).is_err());
    }

    #[test]
    fn check_defaults_and_double_dash() {
        let Some(Command::Check(a)) = Cli::try_parse_from(["worklog-ls", "check"]).unwrap().command else { panic!() };
        assert_eq!(a.paths, [PathBuf::from(".")]);
        assert_eq!((a.format, a.color, a.root), (Format::Human, ColorWhen::Auto, None));
        let Some(Command::Check(a)) =
            Cli::try_parse_from(["worklog-ls", "check", "--format=text", "--", "--root", "-x.md"]).unwrap().command
        else {
            panic!()
        };
        assert_eq!(a.paths, [PathBuf::from("--root"), PathBuf::from("-x.md")]);
        assert_eq!(a.format, Format::Human);
    }
}
