//! `worklog-ls next FILE`: start the next entry (`crate::handoff::next`).
//! Prints the resulting log; `--in-place` writes it back; `--file` writes
//! the next `…-v<N+1>.md` beside a log whose name carries its version (and
//! never overwrites a file).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::analysis;
use crate::config::Config;
use crate::document::Document;
use crate::handoff::next::{next_entry, NextOptions};
use crate::handoff::{apply, name_with_version, LocalTime};

use super::args::NextArgs;

/// Why a command could not go on: its exit status and what to say.
#[derive(Debug)]
pub struct Failure {
    pub status: u8,
    pub message: String,
}

impl Failure {
    pub fn io(message: String) -> Failure {
        Failure { status: 2, message }
    }
    pub fn exit(self, err: &mut dyn Write) -> u8 {
        let _ = writeln!(err, "worklog-ls: {}", self.message);
        self.status
    }
}

/// Read a named log and check that it is a Work Log (status 1 if not).
pub fn read_log(path: &Path) -> Result<(String, Document), Failure> {
    std::fs::metadata(path).map_err(|e| Failure::io(format!("cannot read {}: {e}", path.display())))?;
    // The one safe reader: a regular file of bounded size, never a FIFO or device.
    let max = crate::config::DEFAULT_MAX_FILE_SIZE;
    let bytes = crate::workspace::read_regular(path, max, crate::workspace::Links::Follow)
        .ok_or_else(|| Failure::io(format!("cannot read {}: not a regular file of at most {max} bytes", path.display())))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Failure::io(format!("{}: not UTF-8 text (invalid byte at offset {})", path.display(), e.utf8_error().valid_up_to()))
    })?;
    let doc = Document::new(&text);
    let why = analysis::recognise(&doc, &Config::default(), Some(path));
    if !why.is_log() {
        return Err(Failure { status: 1, message: format!("{}: {}", path.display(), why.explain()) });
    }
    Ok((text, doc))
}

pub fn run(args: &NextArgs) -> ExitCode {
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    ExitCode::from(next(args, local_now(), &mut out, &mut err))
}

/// Run `next` with `now` as the clock unless `--now` pins it; the exit status.
pub fn next(args: &NextArgs, now: LocalTime, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match try_next(args, now, out, err) {
        Ok(()) => 0,
        Err(f) => f.exit(err),
    }
}

fn try_next(args: &NextArgs, now: LocalTime, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), Failure> {
    let now = match &args.now {
        Some(s) => LocalTime::parse(s).map_err(|e| Failure { status: 2, message: format!("--now: {e}") })?,
        None => now,
    };
    let (text, doc) = read_log(&args.file)?;
    let next = next_entry(&doc, &NextOptions { now, snippets: false, keep_status: args.keep_status });
    let result = apply(&text, &next.edits);
    let target: Option<PathBuf> = if args.in_place {
        Some(args.file.clone())
    } else if args.file_next {
        let name = args.file.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let Some(new_name) = name_with_version(name, next.version) else {
            return Err(Failure::io(format!(
                "{}: the file name carries no version (`…-v{}.md`), so there is no next file to name; use --in-place or stdout",
                args.file.display(),
                next.previous.unwrap_or(1)
            )));
        };
        Some(args.file.with_file_name(new_name))
    } else {
        None
    };
    let write_err = |p: &Path, e: std::io::Error| Failure::io(format!("cannot write {}: {e}", p.display()));
    match target.clone() {
        None => out.write_all(result.as_bytes()).map_err(|e| Failure::io(format!("cannot write the output: {e}")))?,
        Some(p) if args.in_place => std::fs::write(&p, &result).map_err(|e| write_err(&p, e))?,
        Some(p) => {
            let mut f = match std::fs::OpenOptions::new().write(true).create_new(true).open(&p) {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Err(Failure::io(format!(
                        "{} already exists; not overwritten (remove it, or use --in-place on it)",
                        p.display()
                    )));
                }
                Err(e) => return Err(write_err(&p, e)),
            };
            f.write_all(result.as_bytes()).map_err(|e| write_err(&p, e))?;
        }
    }
    if let Some(p) = target {
        let s = if next.carried == 1 { "" } else { "s" };
        let _ = writeln!(err, "wrote {}: v{} started, {} open Next item{s} carried over", p.display(), next.version, next.carried);
    }
    Ok(())
}

pub use crate::handoff::clock::local_now;
