//! Machine formats: `--format json` (one object, documented in docs/cli.md)
//! and `--format sarif` (SARIF 2.1.0, one run).

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{json, Value};

use super::check::{Diag, FileReport, Outcome, Pos, NOT_TEXT};
use crate::analysis::{Code, Severity};

/// The version of the JSON object's shape; bumped on incompatible changes.
pub const JSON_VERSION: u32 = 1;

/// The JSON object of `--format json` (docs/cli.md); fields serialise in
/// this order.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    pub version: u32,
    pub files: Vec<JsonFile<'a>>,
    pub io_errors: Vec<JsonIoError>,
    pub summary: JsonSummary,
}

#[derive(Debug, Serialize)]
pub struct JsonFile<'a> {
    pub path: String,
    pub is_work_log: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why_not: Option<&'a str>,
    pub project_root: Option<String>,
    pub diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    pub code: &'a str,
    pub severity: &'a str,
    pub message: &'a str,
    pub range: JsonRange,
    pub fixes: &'a [String],
}

#[derive(Debug, Serialize)]
pub struct JsonRange {
    pub start: JsonPos,
    pub end: JsonPos,
}

#[derive(Debug, Serialize)]
pub struct JsonPos {
    pub line: usize,
    pub column: usize,
    pub offset: usize,
}

#[derive(Debug, Serialize)]
pub struct JsonIoError {
    pub path: String,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct JsonSummary {
    pub files_checked: usize,
    pub work_logs: usize,
    pub errors: usize,
    pub warnings: usize,
    pub information: usize,
    pub hints: usize,
    pub references_checked: bool,
    pub references_not_checked_reason: Option<String>,
}

/// The JSON object for an outcome.
pub fn json(o: &Outcome) -> JsonReport<'_> {
    let c = o.counts();
    let not_checked = o.references_not_checked();
    JsonReport {
        version: JSON_VERSION,
        files: o.files.iter().map(json_file).collect(),
        io_errors: o.io_errors.iter().map(|e| JsonIoError { path: path_string(&e.path), message: e.message.clone() }).collect(),
        summary: JsonSummary {
            files_checked: c.files,
            work_logs: c.work_logs,
            errors: c.errors,
            warnings: c.warnings,
            information: c.information,
            hints: c.hints,
            references_checked: not_checked.is_none(),
            references_not_checked_reason: not_checked,
        },
    }
}

fn json_file(f: &FileReport) -> JsonFile<'_> {
    JsonFile {
        path: path_string(&f.path),
        is_work_log: f.work_log,
        why_not: f.why_not.as_deref(),
        project_root: f.root.as_deref().map(path_string),
        diagnostics: f.diagnostics.iter().map(json_diag).collect(),
    }
}

fn json_pos(p: Pos) -> JsonPos {
    JsonPos { line: p.line, column: p.column, offset: p.offset }
}

fn json_diag(d: &Diag) -> JsonDiagnostic<'_> {
    JsonDiagnostic {
        code: d.code,
        severity: d.severity.as_str(),
        message: &d.message,
        range: JsonRange { start: json_pos(d.start), end: json_pos(d.end) },
        fixes: &d.fixes,
    }
}

pub fn write_json(o: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &json(o))?;
    writeln!(out)
}

/// The rules of the SARIF run: every diagnostic code with its default
/// severity, then the CLI's own `not-text`.
fn rules() -> Vec<(&'static str, Severity, &'static str)> {
    let mut r: Vec<_> = Code::ALL.iter().map(|c| (c.as_str(), c.default_severity(), describe(*c))).collect();
    r.push((NOT_TEXT, Severity::Error, "A Work Log that is not UTF-8 text (or holds a NUL byte)."));
    r
}

/// One line per code for code-scanning UIs (docs/format.md has the details).
/// A code missing here gets a pointer to the docs.
const DESCRIPTIONS: &[(&str, &str)] = &[
    ("missing-frontmatter", "A Work Log without frontmatter, or with unclosed frontmatter."),
    ("missing-version", "The frontmatter lacks `version`."),
    ("missing-status", "The frontmatter lacks `status`."),
    ("invalid-version", "`version` is not `v<N>`."),
    ("invalid-status", "`status` is not one of the known statuses."),
    ("version-mismatch", "The frontmatter version differs from the highest entry version."),
    ("missing-title", "No level-1 title before the first entry."),
    ("malformed-entry", "An entry heading not of the shape `## vN | YYYY-MM-DD[ HH:MM] | Title`."),
    ("duplicate-version", "Two entries with one version."),
    ("version-order", "An entry's version is not its predecessor's plus one."),
    ("date-order", "An entry dated before the one above it."),
    ("missing-section", "An entry lacks a required field (Prev, Now, Progress, Next)."),
    ("duplicate-section", "One field twice in an entry."),
    ("unknown-section", "A bold label that is a near miss of a known label."),
    ("bad-progress", "Progress is empty or a percentage outside 0-100."),
    ("bad-priority", "A Next item's tag is not exactly [HIGH], [MED] or [LOW]."),
    ("missing-priority", "A Next item without a priority tag."),
    ("file-not-found", "A reference to a path that does not exist."),
    ("range-out-of-bounds", "A line range past the end of the referenced file."),
    ("bad-range", "A line range with START > END, or line 0."),
    ("outside-workspace", "A reference that resolves outside the project root."),
    ("mojibake", "UTF-8 text that was decoded as Windows-1252."),
    ("file-too-large", "A file over the size limit, not analysed."),
    ("completed-with-open-high", "`status: completed` while the latest entry's Next still has an open [HIGH] item."),
    ("blocked-without-blocker", "`status: blocked` while the latest entry says `**Blockers:** None`."),
    ("history-disagrees", "An entry whose date or title differs from the older file of the same log (`…-v3.md` beside `…-v4.md`)."),
    ("range-moved", "The referenced lines are unchanged since the entry was committed but now sit elsewhere (or the file was renamed)."),
    ("range-changed", "Some of the referenced lines changed since the entry was committed; how many remain and roughly where."),
    ("range-removed", "The referenced lines, or their file, are gone since the entry was committed; which commit removed them."),
];

fn describe(c: Code) -> &'static str {
    DESCRIPTIONS.iter().find(|d| d.0 == c.as_str()).map_or("See docs/format.md of worklog-ls.", |d| d.1)
}

/// SARIF's `level` for a severity.
fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "note",
    }
}

/// A relative URI reference for a path (`/`-separated, percent-encoded).
fn uri(p: &std::path::Path) -> String {
    let s = path_string(p);
    let s = s.strip_prefix("./").unwrap_or(&s);
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    if p.is_absolute() {
        format!("file://{out}")
    } else {
        out
    }
}

/// The SARIF log for an outcome.
pub fn sarif(o: &Outcome) -> Value {
    let rules = rules();
    let index = |code: &str| rules.iter().position(|r| r.0 == code);
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for f in &o.files {
        if f.explicit && !f.work_log {
            if let Some(why) = &f.why_not {
                notifications.push(json!({
                    "level": "note",
                    "message": { "text": format!("{}: not a Work Log: {why}", f.path.display()) },
                    "locations": [{ "physicalLocation": { "artifactLocation": { "uri": uri(&f.path) } } }],
                }));
            }
        }
        for d in &f.diagnostics {
            let mut result = json!({
                "ruleId": d.code,
                "level": sarif_level(d.severity),
                "message": { "text": d.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&f.path) },
                        "region": {
                            "startLine": d.start.line,
                            "startColumn": d.start.column,
                            "endLine": d.end.line,
                            "endColumn": d.end.column,
                            "byteOffset": d.start.offset,
                            "byteLength": d.end.offset.saturating_sub(d.start.offset),
                        },
                    },
                }],
            });
            if let Some(i) = index(d.code) {
                result["ruleIndex"] = json!(i);
            }
            results.push(result);
        }
    }
    for e in &o.io_errors {
        notifications.push(json!({
            "level": "error",
            "message": { "text": format!("{}: {}", e.path.display(), e.message) },
        }));
    }
    if let Some(why) = o.references_not_checked() {
        notifications.push(json!({
            "level": "note",
            "message": { "text": format!("references were not checked against the disk: {why}") },
        }));
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "worklog-ls",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules.iter().map(|(id, sev, text)| json!({
                        "id": id,
                        "shortDescription": { "text": text },
                        "defaultConfiguration": { "level": sarif_level(*sev) },
                    })).collect::<Vec<_>>(),
                },
            },
            "invocations": [{
                "executionSuccessful": o.io_errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

pub fn write_sarif(o: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &sarif(o))?;
    writeln!(out)
}

/// A path as a string, `/`-separated.
fn path_string(p: &std::path::Path) -> String {
    let s = p.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '\\' {
        s.replace('\\', "/")
    } else {
        s.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(uri(std::path::Path::new("./docs/my log.md")), "docs/my%20log.md");
        assert_eq!(uri(std::path::Path::new("/tmp/ü.md")), "file:///tmp/%C3%BC.md");
    }

    #[test]
    fn every_code_is_a_rule_once() {
        let r = rules();
        assert_eq!(r.len(), Code::ALL.len() + 1);
        let mut ids: Vec<_> = r.iter().map(|r| r.0).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), r.len());
        // Every code of today has its own description.
        assert!(Code::ALL.iter().all(|c| DESCRIPTIONS.iter().any(|d| d.0 == c.as_str())));
    }
}
