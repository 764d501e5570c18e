//! `worklog-ls handoff FILE [-o OUT] [--keep N]`: the hand-off copy
//! (`crate::handoff::copy`) on stdout or in OUT; on stderr one line with the
//! size in bytes and tokens of the log and of the copy, and the saving.

use std::io::Write;
use std::process::ExitCode;

use crate::handoff::copy::handoff_copy;
use crate::handoff::tokens::{saving_percent, Size, TOKENIZER};

use super::args::HandoffArgs;
use super::next::{read_log, Failure};

pub fn run(args: &HandoffArgs) -> ExitCode {
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    ExitCode::from(handoff(args, &mut out, &mut err))
}

/// Run `handoff`; the exit status.
pub fn handoff(args: &HandoffArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match try_handoff(args, out, err) {
        Ok(()) => 0,
        Err(f) => f.exit(err),
    }
}

fn try_handoff(args: &HandoffArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), Failure> {
    let (text, doc) = read_log(&args.file)?;
    let copy = handoff_copy(&doc, args.keep as usize);
    match &args.output {
        Some(o) => {
            let same = std::fs::canonicalize(o).ok().zip(std::fs::canonicalize(&args.file).ok()).is_some_and(|(a, b)| a == b);
            if same {
                return Err(Failure::io(format!("{}: the copy would overwrite the log itself; name another output", o.display())));
            }
            std::fs::write(o, &copy.text).map_err(|e| Failure::io(format!("cannot write {}: {e}", o.display())))?;
        }
        None => out.write_all(copy.text.as_bytes()).map_err(|e| Failure::io(format!("cannot write the output: {e}")))?,
    }
    let _ = writeln!(err, "{}", summary(&text, &copy.text));
    Ok(())
}

/// `log: 4,210 bytes, 1,012 tokens; hand-off copy: 2,050 bytes, 498 tokens; saves 51% of the tokens (o200k_base; an estimate for Claude)`.
pub fn summary(full: &str, copy: &str) -> String {
    let (f, c) = (Size::of(full), Size::of(copy));
    format!(
        "log: {} bytes, {} tokens; hand-off copy: {} bytes, {} tokens; saves {}% of the tokens ({TOKENIZER}; an estimate for Claude)",
        thousands(f.bytes),
        thousands(f.tokens),
        thousands(c.bytes),
        thousands(c.tokens),
        saving_percent(f, c)
    )
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}
