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
#[command(args_conflicts_with_subcommands = true, args_override_self = true, after_help = EXIT_STATUS)]
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
    /// Start the next entry of a Work Log (prints the log unless --in-place or --file)
    ///
    /// Appends `## v<N+1> | <now> | ` with Prev, Now, Progress and the open Next
    /// items carried over; bumps `version:`; the status goes back to in_progress.
    #[command(after_help = HANDOFF_EXIT_STATUS)]
    Next(NextArgs),
    /// Print the hand-off copy of a Work Log and, on stderr, its token saving
    ///
    /// Frontmatter, title, one elision line for the older entries, the latest
    /// entries in full.
    #[command(after_help = HANDOFF_EXIT_STATUS)]
    Handoff(HandoffArgs),
    /// Say where Work Logs stand: version, status, progress, the next HIGH item
    #[command(after_help = HANDOFF_EXIT_STATUS)]
    Status(StatusArgs),
}

const HANDOFF_EXIT_STATUS: &str = "\
Exit status:
  0  done
  1  a named file is not a Work Log
  2  usage or I/O error, or a file that would be overwritten";

/// `worklog-ls next FILE`.
#[derive(Debug, Clone, Args)]
pub struct NextArgs {
    /// The Work Log
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Write the result back to FILE instead of printing it
    #[arg(long, conflicts_with = "file_next")]
    pub in_place: bool,

    /// Write the result to the next file of the log beside FILE
    /// (Auth-WorkLog-v2.md → Auth-WorkLog-v3.md); never overwrites
    #[arg(long = "file", id = "file_next")]
    pub file_next: bool,

    /// Keep the frontmatter status [default: needs_review, blocked and
    /// completed go back to in_progress]
    #[arg(long)]
    pub keep_status: bool,

    /// The date and time of the new entry, "YYYY-MM-DD HH:MM" [default: local
    /// time now]
    #[arg(long, value_name = "YYYY-MM-DD HH:MM")]
    pub now: Option<String>,
}

/// `worklog-ls handoff FILE`.
#[derive(Debug, Clone, Args)]
pub struct HandoffArgs {
    /// The Work Log
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Write the copy to OUT instead of stdout
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,

    /// How many of the latest entries to keep in full
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub keep: u32,
}

/// `worklog-ls status FILE…`.
#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// Work Logs; of several files of one log (…-v1.md … -v4.md) the one with
    /// the highest version is current
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// Output format: the sentence, or one JSON object (docs/cli.md)
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = StatusFormat::Human)]
    pub format: StatusFormat,

    /// With --format json: where each reference's lines are now, by git
    /// history (a `history` list per file; off when the log's settings say
    /// `history = "off"`)
    #[arg(long)]
    pub history: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFormat {
    /// One line per log
    #[value(alias = "text")]
    Human,
    /// One JSON object
    Json,
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

    /// Follow every reference of every entry through git history: where its
    /// lines are now (range-moved, range-changed, range-removed); reads git,
    /// so it is off unless asked for (the `history = "off"` setting wins)
    #[arg(long)]
    pub history: bool,
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

    #[test]
    fn handoff_commands() {
        let Some(Command::Next(a)) =
            Cli::try_parse_from(["worklog-ls", "next", "--file", "--now", "2025-11-13 18:00", "a-v2.md"]).unwrap().command
        else {
            panic!()
        };
        assert!(a.file_next && !a.in_place && !a.keep_status);
        assert_eq!((a.file, a.now.as_deref()), (PathBuf::from("a-v2.md"), Some("2025-11-13 18:00")));
        assert!(Cli::try_parse_from(["worklog-ls", "next", "--file", "--in-place", "a.md"]).is_err());
        let Some(Command::Handoff(a)) = Cli::try_parse_from(["worklog-ls", "handoff", "-o", "out.md", "a.md"]).unwrap().command else {
            panic!()
        };
        assert_eq!((a.keep, a.output), (1, Some(PathBuf::from("out.md"))));
        assert!(Cli::try_parse_from(["worklog-ls", "handoff", "--keep", "0", "a.md"]).is_err());
        let Some(Command::Status(a)) = Cli::try_parse_from(["worklog-ls", "status", "--format", "json", "a.md", "b.md"]).unwrap().command
        else {
            panic!()
        };
        assert_eq!((a.files.len(), a.format), (2, StatusFormat::Json));
        assert!(Cli::try_parse_from(["worklog-ls", "status"]).is_err());
    }
}
