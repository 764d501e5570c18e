//! The human format: each diagnostic as compilers show them (rendered by
//! `annotate-snippets`: the source line, a caret under the exact text, columns
//! right with tabs and wide characters), then a one-line summary. Always
//! written styled; the stream decides whether colour is kept.

use std::io::{self, Write};

use annotate_snippets::{AnnotationKind, Level, Origin, Renderer, Snippet};
use anstyle::{AnsiColor, Style};

use super::check::{Diag, FileReport, IoError, Outcome};
use crate::analysis::Severity;

const BOLD: Style = Style::new().bold();
const ERROR: Style = AnsiColor::BrightRed.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const NOTE: Style = AnsiColor::BrightGreen.on_default().bold();
const GOOD: Style = AnsiColor::Green.on_default().bold();

/// Write the diagnostics and the summary to `out`; notes (a named file that
/// is not a Work Log, settings warnings) and I/O errors to `err`.
pub fn write(o: &Outcome, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<()> {
    write_problems(o, err);
    let renderer = Renderer::styled();
    for f in &o.files {
        if let (true, Some(why)) = (f.explicit && !f.work_log, &f.why_not) {
            writeln!(err, "{NOTE}note{NOTE:#}{BOLD}:{BOLD:#} {}: not a Work Log: {why}", f.path.display())?;
        }
        for d in &f.diagnostics {
            writeln!(out, "{}\n", render(&renderer, f, d))?;
        }
        if let Some(why) = &f.history_note {
            writeln!(out, "{NOTE}note{NOTE:#}{BOLD}:{BOLD:#} {}: history: {why}", f.path.display())?;
        }
    }
    if let Some(why) = o.references_not_checked() {
        writeln!(out, "{NOTE}note{NOTE:#}{BOLD}:{BOLD:#} references were not checked against the disk: {why}")?;
    }
    let c = o.counts();
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let notes = c.information + c.hints;
    let summary = format!(
        "checked {}: {}, {}{}",
        plural(c.work_logs, "Work Log"),
        plural(c.errors, "error"),
        plural(c.warnings, "warning"),
        if notes > 0 { format!(", {}", plural(notes, "note")) } else { String::new() }
    );
    let style = if c.errors > 0 { ERROR } else { GOOD };
    writeln!(out, "{style}{summary}{style:#}")
}

/// Settings warnings and I/O errors, on `err` (failures to write there are
/// not reported anywhere).
pub fn write_problems(o: &Outcome, err: &mut dyn Write) {
    for w in &o.config_warnings {
        let _ = writeln!(err, "{WARNING}warning{WARNING:#}{BOLD}:{BOLD:#} {w}");
    }
    for e in &o.io_errors {
        let _ = writeln!(err, "{}", io_error_line(e));
    }
}

/// `error: PATH: MESSAGE`, styled.
pub fn io_error_line(e: &IoError) -> String {
    format!("{ERROR}error{ERROR:#}{BOLD}:{BOLD:#} {}: {}", e.path.display(), e.message)
}

/// One diagnostic: `severity[code]: message`, ` --> path:line:col`, the
/// source line with the range underlined, and the quick fixes.
pub fn render(renderer: &Renderer, f: &FileReport, d: &Diag) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Information => Level::INFO,
        Severity::Hint => Level::HELP.with_name("hint"),
    };
    let path = f.path.display().to_string();
    let title = level.primary_title(d.message.as_str()).id(d.code);
    let mut group = match f.text.as_deref() {
        Some(text) => {
            let (line_start, line) = line_at(text, d.span.start);
            let start = d.span.start - line_start;
            let mut end = d.span.end.clamp(d.span.start, line_start + line.len()) - line_start;
            if end == start {
                // An empty range: underline the character there, if any.
                end += line[start..].chars().next().map_or(0, char::len_utf8);
            }
            title.element(Snippet::source(line).line_start(d.start.line).path(path).annotation(AnnotationKind::Primary.span(start..end)))
        }
        None => title.element(Origin::path(path).line(d.start.line).char_column(d.start.column)),
    };
    match d.fixes.as_slice() {
        [] => {}
        [one] => group = group.element(Level::HELP.message(format!("quick fix: {one}"))),
        many => group = group.element(Level::HELP.message(format!("quick fixes: {}", many.join("; ")))),
    }
    renderer.render(&[group])
}

/// The line holding byte `offset` (lines end at `\n`, `\r\n` or a lone `\r`,
/// as the document's), without its ending, and its start.
fn line_at(text: &str, offset: usize) -> (usize, &str) {
    let offset = offset.min(text.len());
    let bytes = text.as_bytes();
    let start = bytes[..offset].iter().rposition(|&b| b == b'\n' || b == b'\r').map_or(0, |i| i + 1);
    let end = bytes[offset..].iter().position(|&b| b == b'\n' || b == b'\r').map_or(text.len(), |i| offset + i);
    (start, &text[start..end])
}

#[cfg(test)]
mod tests {
    use super::line_at;

    #[test]
    fn lines_end_at_each_line_ending() {
        let t = "a\r\nbc\rd\n\ne";
        assert_eq!(line_at(t, 0), (0, "a"));
        assert_eq!(line_at(t, 4), (3, "bc"));
        assert_eq!(line_at(t, 6), (6, "d"));
        assert_eq!(line_at(t, 8), (8, ""));
        assert_eq!(line_at(t, 9), (9, "e"));
        assert_eq!(line_at(t, 99), (9, "e"));
    }
}
