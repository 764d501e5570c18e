//! Diagnostics of the format contract (spec §4), as plain data with byte
//! ranges. No IO happens here: disk facts come through [`facts::FileFacts`].

pub mod facts;
pub mod history;
pub mod sibling;
pub mod status;

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use crate::config::{Config, RefScope};
pub use crate::diagnostic::{chunk_diagnostics, edit_distance, nearest, suggest_label, Code, Diagnostic, Fix, Severity, PRIORITIES};
use crate::document::Document;
use crate::model::{ChunkModel, FileRef, RefForm};
use facts::{FileFacts, Resolution};

/// What the analysis needs besides the text.
pub struct Context<'a> {
    pub config: &'a Config,
    /// The log's absolute path, if it has one (for resolution and globs).
    pub path: Option<&'a Path>,
    pub facts: &'a dyn FileFacts,
}

/// Why a Markdown buffer is (or is not) a Work Log (spec §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recognition {
    /// Frontmatter with `version: v<N>` and a known `status`.
    Frontmatter,
    /// An entry heading `## vN | YYYY-MM-DD…` and a known field label.
    Entries,
    /// The file name matches a glob the user configured.
    Glob,
    /// Not a Work Log.
    Not,
}

impl Recognition {
    pub fn is_log(self) -> bool {
        self != Recognition::Not
    }
    /// One sentence for people: why the file is (not) a Work Log.
    pub fn explain(self) -> &'static str {
        match self {
            Recognition::Frontmatter => "its frontmatter has `version: vN` and a known `status`",
            Recognition::Entries => "it has an entry heading `## vN | YYYY-MM-DD | Title` and a known field label",
            Recognition::Glob => "its file name matches a configured glob",
            Recognition::Not => {
                "not a Work Log: no frontmatter with `version: vN` and a known `status` (in_progress, needs_review, blocked, completed), \
                 no entry heading `## vN | YYYY-MM-DD | Title` with a known field label (`**Now:**`, `**Next:**`, …), \
                 and no configured glob matches its name"
            }
        }
    }
}

/// Which rule of spec §1 makes this document a Work Log, if any. Only text
/// outside code and HTML counts (the model never holds any from there).
pub fn recognise(doc: &Document, config: &Config, path: Option<&Path>) -> Recognition {
    let chunks = doc.chunks();
    let fm_log = chunks.first().and_then(|c| c.model.frontmatter.as_ref()).is_some_and(|f| {
        f.closed
            && f.get("version").is_some_and(|v| valid_version(&v.value).is_some())
            && f.get("status").is_some_and(|s| STATUSES.contains(&s.value.as_str()))
    });
    if fm_log {
        return Recognition::Frontmatter;
    }
    if chunks.iter().any(|c| c.summary.entry_shape) && chunks.iter().any(|c| c.summary.known_label) {
        return Recognition::Entries;
    }
    let name_match = path.and_then(|p| p.file_name()).and_then(|n| n.to_str()).is_some_and(|n| config.name_matches(n));
    if name_match {
        return Recognition::Glob;
    }
    Recognition::Not
}

/// Is this document a Work Log (spec §1)?
pub fn is_work_log(doc: &Document, config: &Config, path: Option<&Path>) -> bool {
    recognise(doc, config, path).is_log()
}

/// `v<digits>` → the number.
fn valid_version(v: &str) -> Option<u32> {
    v.strip_prefix('v').filter(|d| !d.is_empty() && d.len() < 10 && d.bytes().all(|c| c.is_ascii_digit()))?.parse().ok()
}

/// The one diagnostic for a file over the size cap.
pub fn too_large(len: usize, max: u64) -> Diagnostic {
    Diagnostic::new(
        Code::FileTooLarge,
        0..0,
        format!("Not analysed: this file is {len} bytes, over the {max}-byte limit (setting `maxFileSize`)."),
    )
}

/// All diagnostics of a document, sorted by position, severities applied.
/// Empty for Markdown files that are not Work Logs.
pub fn diagnostics(doc: &Document, cx: &Context<'_>) -> Vec<Diagnostic> {
    if !is_work_log(doc, cx.config, cx.path) {
        return Vec::new();
    }
    let mut out: Vec<Diagnostic> = Vec::new();
    for c in doc.chunks().iter().filter(|c| c.summary.has_local) {
        out.extend(c.local.iter().cloned().map(|d| d.shifted(c.start)));
    }
    document_checks(doc, cx.config, &mut out);
    reference_checks(doc, cx, &mut out);
    if let Some(log) = cx.path {
        sibling::history_checks(doc, log, cx.facts, &mut out);
    }
    history::history_checks(doc, cx, &mut out);
    let mut out: Vec<Diagnostic> = out
        .into_iter()
        .filter_map(|mut d| {
            d.severity = cx.config.severity(d.code)?;
            Some(d)
        })
        .collect();
    out.sort_by_key(|d| (d.range.start, d.range.end, d.code));
    out
}

/// The frontmatter's checks (`missing-frontmatter`, `missing-version`,
/// `invalid-version`, `missing-status`, `invalid-status`); returns the
/// version it declares, if valid.
fn frontmatter_checks(
    doc: &Document,
    fm: Option<&crate::model::Frontmatter>,
    first_line: &Range<usize>,
    out: &mut Vec<Diagnostic>,
) -> Option<(u32, Range<usize>)> {
    let mut fm_version: Option<(u32, Range<usize>)> = None;
    match fm {
        None => out.push(Diagnostic::new(
            Code::MissingFrontmatter,
            first_line.clone(),
            "A Work Log starts with frontmatter: `---`, `version: v1`, `status: in_progress`, `---`.",
        )),
        Some(f) if !f.closed => out.push(Diagnostic::new(
            Code::MissingFrontmatter,
            f.open_line.clone(),
            "The frontmatter is not closed: add a `---` line after its last key.",
        )),
        Some(f) => {
            match f.get("version") {
                None => out.push(Diagnostic::new(
                    Code::MissingVersion,
                    f.open_line.clone(),
                    "The frontmatter has no `version:` (e.g. `version: v1`).",
                )),
                Some(v) => {
                    match valid_version(&v.value) {
                        Some(n) => fm_version = Some((n, v.value_range.clone())),
                        None => {
                            let mut d = Diagnostic::new(
                                Code::InvalidVersion,
                                nonempty(v.value_range.clone(), &v.key_range),
                                format!("`{}` is not a version of the form `vN` (lower-case v, digits).", v.value),
                            );
                            let digits: String = v.value.chars().filter(|c| c.is_ascii_digit()).collect();
                            let guess = v.value.trim_start_matches(['v', 'V']);
                            if !guess.is_empty() && guess.bytes().all(|c| c.is_ascii_digit()) {
                                d = d.with_fix(Fix {
                                    preferred: true,
                                    ..Fix::replace(format!("Change to `v{guess}`"), v.value_range.clone(), format!("v{guess}"))
                                });
                            } else if !digits.is_empty() && digits.len() < 10 && v.value.contains('.') {
                                // v4.1: no safe guess; leave it to the user.
                            }
                            out.push(d);
                        }
                    }
                }
            }
            match f.get("status") {
                None => {
                    let at = f.range.end - closing_len(doc, f.range.end);
                    out.push(
                        Diagnostic::new(
                            Code::MissingStatus,
                            f.open_line.clone(),
                            "The frontmatter has no `status:` (in_progress, needs_review, blocked or completed).",
                        )
                        .with_fix(Fix { preferred: true, ..Fix::replace("Add `status: in_progress`", at..at, "status: in_progress\n") }),
                    )
                }
                Some(s) if !STATUSES.contains(&s.value.as_str()) => {
                    let near = nearest(&s.value, STATUSES.iter().copied());
                    let mut d = Diagnostic::new(
                        Code::InvalidStatus,
                        nonempty(s.value_range.clone(), &s.key_range),
                        format!(
                            "`{}` is not a status; use {}{}.",
                            s.value,
                            STATUSES.join(", "),
                            near.map(|n| format!(" (did you mean `{n}`?)")).unwrap_or_default()
                        ),
                    );
                    for st in near.into_iter().chain(STATUSES.iter().copied().filter(|x| Some(*x) != near)) {
                        let mut fx = Fix::replace(format!("Change to `{st}`"), s.value_range.clone(), st);
                        fx.preferred = Some(st) == near;
                        d = d.with_fix(fx);
                    }
                    out.push(d);
                }
                Some(_) => {}
            }
        }
    }
    fm_version
}

/// Checks that look across chunks: frontmatter, title, versions, dates,
/// required sections.
fn document_checks(doc: &Document, config: &Config, out: &mut Vec<Diagnostic>) {
    let chunks = doc.chunks();
    let Some(first) = chunks.first() else { return };
    let pre: Option<&ChunkModel> = if first.model.heading.is_none() { Some(&first.model) } else { None };
    let fm = pre.and_then(|m| m.frontmatter.as_ref());
    let first_line = doc.line_range(0);

    let fm_version = frontmatter_checks(doc, fm, &first_line, out);

    // Title.
    let first_entry = chunks.iter().find(|c| c.summary.entry);
    if pre.and_then(|m| m.title.as_ref()).is_none() {
        let at = match first_entry {
            Some(c) => c.start..c.start + c.model.heading.as_ref().map_or(0, |h| h.line.end),
            None => first_line.clone(),
        };
        out.push(Diagnostic::new(Code::MissingTitle, at, "No level-1 title (`# … Work Log`) before the first entry."));
    }

    // Versions named by elisions, by the position they stand at.
    let mut highest: Option<(u32, usize)> = None; // version, chunk index
    let mut seen = VersionSet::default();
    let mut prev_version: Option<u32> = pre.and_then(|m| m.elisions.iter().flat_map(|e| e.versions.iter().copied()).max());
    let mut prev_date = None;
    let required = config.required_sections.iter().fold(0u16, |acc, k| acc | 1 << *k as u16);
    // This loop runs on every keystroke over every entry: it reads only the
    // inline summaries (contiguous), never the chunk models.
    for (i, c) in chunks.iter().enumerate() {
        let sm = &c.summary;
        if !sm.entry {
            continue;
        }
        let head = c.start..c.start + sm.heading_end as usize;
        if sm.malformed {
            // `malformed-entry` says all there is to say about this heading
            // (spec §4): its version and date take part in no other check.
            continue;
        }
        if let Some(v) = sm.version {
            let dup = !seen.insert(v);
            if dup {
                out.push(Diagnostic::new(
                    Code::DuplicateVersion,
                    head.clone(),
                    format!("A second entry v{v}: every hand-off gets its own version."),
                ));
            } else if let Some(p) = prev_version {
                if v != p.saturating_add(1) {
                    out.push(Diagnostic::new(
                        Code::VersionOrder,
                        head.clone(),
                        format!("v{v} follows v{p}; the next version is v{}.", p.saturating_add(1)),
                    ));
                }
            }
            if highest.is_none_or(|(hv, _)| v >= hv) {
                highest = Some((v, i));
            }
            prev_version = Some(v);
        }
        // Elisions inside this entry name versions that come after it.
        if let Some(m) = sm.elided_max {
            prev_version = Some(prev_version.map_or(m, |p| p.max(m)));
        }
        if let Some(d) = sm.date {
            if let Some(pd) = prev_date {
                if d.is_before(&pd) {
                    out.push(Diagnostic::new(Code::DateOrder, head.clone(), "This entry is dated before the entry above it."));
                }
            }
            prev_date = Some(d);
        }
        // Required sections.
        if !sm.only_elided && !sm.malformed && sm.present & required != required {
            for k in &config.required_sections {
                if sm.present & (1 << *k as u16) == 0 {
                    let (at, text) = field_insertion(doc, c, *k);
                    out.push(
                        Diagnostic::new(Code::MissingSection, head.clone(), format!("This entry has no `**{}:**` field.", k.label()))
                            .with_fix(Fix::replace(format!("Add `**{}:**`", k.label()), at..at, text)),
                    );
                }
            }
        }
    }
    status::status_checks(doc, pre, out);
    if let (Some((fv, fr)), Some((hv, _))) = (fm_version, highest) {
        if fv != hv {
            out.push(
                Diagnostic::new(Code::VersionMismatch, fr.clone(), format!("The frontmatter says v{fv}, but the highest entry is v{hv}."))
                    .with_fix(Fix { preferred: true, ..Fix::replace(format!("Change to `v{hv}`"), fr, format!("v{hv}")) }),
            );
        }
    }
}

/// Where a missing field goes, and its text: before the first field of the
/// entry that comes after it in the template's order (Prev, Now, Progress,
/// Files, Work, Decisions, Works, Fails, Blockers, Next, Open, Review
/// Checklist), else after the entry's last line.
fn field_insertion(doc: &Document, c: &crate::document::Chunk, k: crate::model::FieldKind) -> (usize, String) {
    let later = c.model.fields.iter().filter(|f| f.label.kind.is_some_and(|fk| fk > k)).map(|f| f.label.range.start).min();
    match later {
        // A label starts its line: insert a whole line before it.
        Some(at) => (c.start + at, format!("**{}:** \n", k.label())),
        None => {
            let text = doc.slice(c.start..c.end());
            let end = c.start + text.trim_end().len();
            (end, format!("\n**{}:** ", k.label()))
        }
    }
}

/// A line range as written (`84-120`, `L84-L120`, `L84-120`, `L42`), with
/// new numbers in the same style.
pub(crate) fn restyle_range(written: &str, start: u32, end: u32) -> String {
    let l1 = if written.starts_with('L') { "L" } else { "" };
    let l2 = if written.contains("-L") { "L" } else { "" };
    if start == end {
        format!("{l1}{start}")
    } else {
        format!("{l1}{start}-{l2}{end}")
    }
}

/// Versions seen so far: a bitset for the usual small numbers.
#[derive(Default)]
struct VersionSet {
    bits: Vec<u64>,
    large: std::collections::HashSet<u32>,
}

impl VersionSet {
    /// Returns `false` if `v` was already there.
    fn insert(&mut self, v: u32) -> bool {
        if v >= 1 << 20 {
            return self.large.insert(v);
        }
        let (w, b) = ((v / 64) as usize, v % 64);
        if self.bits.len() <= w {
            self.bits.resize(w + 1, 0);
        }
        let had = self.bits[w] & (1 << b) != 0;
        self.bits[w] |= 1 << b;
        !had
    }
}

/// The statuses, as written (`model::Status` names them).
pub const STATUSES: &[&str] = &[
    crate::model::Status::InProgress.as_str(),
    crate::model::Status::NeedsReview.as_str(),
    crate::model::Status::Blocked.as_str(),
    crate::model::Status::Completed.as_str(),
];

fn nonempty(r: Range<usize>, fallback: &Range<usize>) -> Range<usize> {
    if r.is_empty() {
        fallback.clone()
    } else {
        r
    }
}

/// Length of the closing `---` line that ends at `end`.
fn closing_len(doc: &Document, end: usize) -> usize {
    let text = doc.slice(end.saturating_sub(8)..end);
    let t = text.trim_end_matches(['\n', '\r']);
    match t.rfind('\n') {
        Some(i) => text.len() - i - 1,
        None => 0,
    }
}

/// How many "did you mean" paths a `file-not-found` offers.
const SIMILAR_LIMIT: usize = 3;

/// Checks of references against the disk: `outside-workspace` anywhere;
/// `file-not-found` and `range-out-of-bounds` in the checked entries.
fn reference_checks(doc: &Document, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(log) = cx.path else { return };
    let chunks = doc.chunks();
    let latest = chunks.iter().rposition(|c| c.summary.entry);
    let mut memo: HashMap<Cow<'_, str>, Resolution> = HashMap::new();
    for (i, c) in chunks.iter().enumerate() {
        let checked = match cx.config.references {
            RefScope::All => true,
            RefScope::Latest => Some(i) == latest,
        };
        if !checked && !c.summary.has_outside {
            continue;
        }
        for r in &c.model.refs {
            if !checked && !r.maybe_outside {
                continue;
            }
            let path = doc.slice(c.abs(&r.path_range));
            let res = memo.entry(path.clone()).or_insert_with_key(|p| cx.facts.resolve(log, p)).clone();
            let at = c.abs(&r.range);
            match res {
                Resolution::Outside => {
                    if r.form != RefForm::Nested {
                        out.push(Diagnostic::new(
                            Code::OutsideWorkspace,
                            at,
                            format!("`{path}` is outside the workspace folder; it is never read."),
                        ));
                    }
                }
                _ if !checked || r.exempt => {}
                Resolution::NotFound => {
                    if r.form == RefForm::Nested || r.needs_folder {
                        continue;
                    }
                    let near = cx.facts.similar_paths(log, &path, SIMILAR_LIMIT);
                    let message = match near.first() {
                        Some(p) => format!("`{path}` does not exist in the workspace (did you mean `{p}`?)."),
                        None => format!("`{path}` does not exist in the workspace."),
                    };
                    let mut d = Diagnostic::new(Code::FileNotFound, at, message);
                    let path_at = c.abs(&r.path_range);
                    for p in near {
                        d = d.with_fix(Fix::replace(format!("Did you mean `{p}`?"), path_at.clone(), p));
                    }
                    out.push(d);
                }
                Resolution::Found(files) => {
                    let written = r.lines.as_ref().map(|(_, at)| doc.slice(c.abs(at))).unwrap_or_default();
                    check_range(r, &path, &written, &files, cx.facts, c.start, out)
                }
                Resolution::Unknown => {}
            }
        }
    }
}

fn check_range(
    r: &FileRef,
    path: &str,
    written_lines: &str,
    files: &[std::path::PathBuf],
    facts: &dyn FileFacts,
    base: usize,
    out: &mut Vec<Diagnostic>,
) {
    let Some((span, at)) = &r.lines else { return };
    if !span.is_valid() {
        return; // bad-range already says it
    }
    let counts: Vec<usize> = files.iter().filter_map(|f| facts.line_count(f)).collect();
    if counts.is_empty() || counts.iter().any(|&n| span.end as usize <= n) {
        return;
    }
    let n = counts.iter().copied().max().unwrap_or(0);
    let lines_at = at.clone();
    let at = if r.form == RefForm::Nested { at.clone() } else { r.range.clone() };
    let mut d = Diagnostic::new(
        Code::RangeOutOfBounds,
        base + at.start..base + at.end,
        format!("Lines {}-{} are past the end of `{path}` ({n} lines).", span.start, span.end),
    );
    // Clamp to the file's end, when the range starts inside the file.
    if n > 0 && (span.start as usize) <= n {
        let new = restyle_range(written_lines, span.start, n as u32);
        d = d.with_fix(Fix::replace(format!("Clamp to `{new}` (the file has {n} lines)"), base + lines_at.start..base + lines_at.end, new));
    }
    out.push(d);
}
