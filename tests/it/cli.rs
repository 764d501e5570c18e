//! `worklog-ls` on the command line: arguments, output formats, exit codes,
//! columns, colour, project roots, the pre-commit hook and the package
//! metadata. Runs the built binary.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// Run the binary in `dir` with `env` set (colour variables cleared unless
/// given); exit code, stdout, stderr.
fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_worklog-ls"));
    cmd.args(args).current_dir(dir);
    for v in ["NO_COLOR", "CLICOLOR_FORCE", "CLICOLOR"] {
        cmd.env_remove(v);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run worklog-ls");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

/// Run in the repository with colour off.
fn run(args: &[&str]) -> (i32, String, String) {
    run_env(Path::new(env!("CARGO_MANIFEST_DIR")), args, &[("NO_COLOR", "1")])
}

/// Run in `dir` with colour off.
fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    run_env(dir, args, &[("NO_COLOR", "1")])
}

/// A valid log (by the format contract v1 and v2) whose entry body is
/// `body` (lines after the heading).
fn log(body: &str) -> String {
    format!(
        "---\nversion: v1\nstatus: in_progress\n---\n\n# T\n\n## v1 | 2025-01-01 10:00 | A\n**Prev:** a\n**Now:** b\n**Progress:** 10%\n**Next:**\n- [LOW] c\n{body}"
    )
}

/// A temporary project: a `worklog.toml` (so it is a project root) and
/// `files` (path, text).
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("worklog.toml"), "").unwrap();
    write_files(dir.path(), files);
    dir
}

fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (p, text) in files {
        let p = root.join(p);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

// ---------------------------------------------------------------- arguments

#[test]
fn help_works_everywhere() {
    for args in [&["--help"][..], &["-h"], &["help"], &["check", "--help"], &["check", "-h"], &["help", "check"]] {
        let (code, out, err) = run(args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(out.contains("Usage: worklog-ls"), "{args:?}: {out}");
        assert!(out.contains("Exit status:"), "{args:?}: {out}");
    }
    let (_, out, _) = run(&["check", "--help"]);
    for flag in ["--root <DIR>", "--format <FORMAT>", "--color <WHEN>", "[PATH]...", "human", "json", "sarif", "NO_COLOR", "CLICOLOR_FORCE"]
    {
        assert!(out.contains(flag), "check --help lacks {flag}: {out}");
    }
    let (_, out, _) = run(&["--help"]);
    assert!(out.contains("--stdio") && out.contains("check"), "{out}");
}

#[test]
fn version_flag() {
    for flag in ["--version", "-V"] {
        let (code, out, _) = run(&[flag]);
        assert_eq!(code, 0);
        assert_eq!(out, format!("worklog-ls {}\n", env!("CARGO_PKG_VERSION")));
    }
}

#[test]
fn double_dash_ends_options() {
    let dir = project(&[("-x.md", &log("")), ("--root", &log("- [high] d\n"))]);
    let (code, out, err) = run_in(dir.path(), &["check", "--", "-x.md"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.ends_with("checked 1 Work Log: 0 errors, 0 warnings\n"), "{out}");
    // After `--`, even a flag's name is a path.
    let (code, out, err) = run_in(dir.path(), &["check", "--format", "json", "--", "--root"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(json(&out)["files"][0]["path"], "--root");
}

#[test]
fn unknown_flags_are_usage_errors_that_suggest_the_right_one() {
    let (code, _, err) = run(&["check", "--fromat", "json"]);
    assert_eq!(code, 2);
    assert!(err.contains("unexpected argument '--fromat'") && err.contains("'--format'"), "{err}");
    let (code, _, err) = run(&["check", "--colour", "never"]);
    assert_eq!(code, 2);
    assert!(err.contains("'--color'"), "{err}");
    let (code, _, err) = run(&["chek"]);
    assert_eq!(code, 2);
    assert!(err.contains("'check'"), "{err}");
    let (code, _, err) = run(&["check", "--format", "xml"]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid value 'xml'") && err.contains("human, json, sarif"), "{err}");
    let (code, _, err) = run(&["check", "--root"]);
    assert_eq!(code, 2);
    assert!(err.contains("a value is required for '--root <DIR>'"), "{err}");
    // The server takes no paths.
    let (code, _, _) = run(&["--stdio", "check"]);
    assert_eq!(code, 2);
}

#[test]
fn format_text_is_an_alias_of_human() {
    let dir = project(&[("w.md", &log(""))]);
    let (code, out, _) = run_in(dir.path(), &["check", "--format=text", "w.md"]);
    assert_eq!(code, 0);
    assert_eq!(out, "checked 1 Work Log: 0 errors, 0 warnings\n");
}

// ---------------------------------------------------------------- exit codes

#[test]
fn exit_codes() {
    // 0: clean, or warnings only.
    let dir = project(&[("clean.md", &log("")), ("warn.md", &log("- d without a priority\n")), ("err.md", &log("- [high] d\n"))]);
    let (code, out, _) = run_in(dir.path(), &["check", "clean.md", "warn.md"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("warning[missing-priority]"), "{out}");
    // 1: any error diagnostic.
    let (code, out, _) = run_in(dir.path(), &["check"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.ends_with("checked 3 Work Logs: 1 error, 1 warning\n"), "{out}");
    // 2: a path that does not exist, even next to errors.
    let (code, out, err) = run_in(dir.path(), &["check", "err.md", "no/such/file.md"]);
    assert_eq!(code, 2);
    assert!(err.contains("error: no/such/file.md: "), "{err}");
    assert!(out.contains("error[bad-priority]"), "the rest is still checked: {out}");
    // 2: --root that is not a folder.
    let (code, _, err) = run_in(dir.path(), &["check", "--root", "clean.md", "clean.md"]);
    assert_eq!(code, 2);
    assert!(err.contains("--root is not a folder"), "{err}");
}

#[test]
fn examples_are_clean() {
    let (code, out, _) = run(&["check", "examples/"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.ends_with("checked 4 Work Logs: 0 errors, 0 warnings\n"), "{out}");
}

// ---------------------------------------------------------------- human format

#[test]
fn errors_are_rendered_as_compilers_do() {
    let (code, out, _) = run(&["check", "--root", "tests/data/spec-cases", "tests/data/spec-cases/errors.md"]);
    assert_eq!(code, 1);
    assert!(out.contains("error[missing-status]: "), "{out}");
    assert!(out.contains(" --> tests/data/spec-cases/errors.md:1:1\n  |\n1 | ---\n  | ^^^\n"), "{out}");
    assert!(out.contains(" --> tests/data/spec-cases/errors.md:10:3\n   |\n10 | - [Medium] Pick a driver\n   |   ^^^^^^^^\n"), "{out}");
    assert!(out.contains("warning[file-not-found]: `src/app/cache.rs`"), "{out}");
    assert!(out.contains(" --> tests/data/spec-cases/errors.md:19:4\n"), "{out}");
    // Quick fixes are named.
    assert!(out.contains("= help: quick fix: "), "{out}");
    assert!(out.lines().last().unwrap().starts_with("checked 1 Work Log: "), "{out}");
}

/// The caret sits under the text in the terminal, whatever stands before it
/// on the line; the column in ` --> path:line:col` counts characters.
#[test]
fn columns_with_tabs_cjk_and_emoji() {
    let dir = project(&[
        ("src/a.rs", "1\n"),
        ("tab.md", &log("\n**Files:**\t`src/a.rs:9-3`\n")),
        ("cjk.md", &log("\n**Files:** 日本語 `src/a.rs:9-3`\n")),
        ("emoji.md", &log("\n**Files:** 🚀✅ `src/a.rs:9-3`\n")),
        ("mixed.md", &log("\n**Files:** \té 中🚀 `src/a.rs:9-3`\n")),
    ]);
    let cases = [
        // (file, column, source line as shown, caret line)
        ("tab.md", 22, "**Files:**    `src/a.rs:9-3`", "                        ^^^"),
        ("cjk.md", 26, "**Files:** 日本語 `src/a.rs:9-3`", "                            ^^^"),
        ("emoji.md", 25, "**Files:** 🚀✅ `src/a.rs:9-3`", "                          ^^^"),
        ("mixed.md", 28, "**Files:**     é 中🚀 `src/a.rs:9-3`", "                                ^^^"),
    ];
    for (file, col, src, caret) in cases {
        let (code, out, _) = run_in(dir.path(), &["check", file]);
        assert_eq!(code, 1, "{out}");
        let expected = format!("  --> {file}:15:{col}\n   |\n15 | {src}\n   | {caret}\n");
        assert!(out.contains(&expected), "{file}: expected\n{expected}\nin\n{out}");
        let (_, out, _) = run_in(dir.path(), &["check", "--format", "json", file]);
        let d = &json(&out)["files"][0]["diagnostics"][0];
        assert_eq!((d["code"].as_str(), d["range"]["start"]["line"].as_u64()), (Some("bad-range"), Some(15)));
        assert_eq!(d["range"]["start"]["column"].as_u64(), Some(col as u64), "{file}");
        assert_eq!(d["range"]["end"]["column"].as_u64(), Some(col as u64 + 3), "{file}");
    }
}

#[test]
fn a_named_file_that_is_not_a_work_log_gets_a_note() {
    let dir = project(&[
        ("README.md", "# Readme\n\nJust docs.\n"),
        ("skill.md", "---\nname: s\ndescription: a skill\n---\n# Skill\n"),
        ("docs/other.md", "# Other\n"),
    ]);
    let (code, out, err) = run_in(dir.path(), &["check", "README.md", "docs"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out, "checked 0 Work Logs: 0 errors, 0 warnings\n");
    assert!(err.contains("note: README.md: not a Work Log: no frontmatter with `version: vN` and a known `status`"), "{err}");
    // Only named files get the note, not those found in a folder.
    assert!(!err.contains("other.md"), "{err}");
    let (_, out, err) = run_in(dir.path(), &["check", "--format", "json", "skill.md"]);
    assert!(err.is_empty(), "{err}");
    let f = &json(&out)["files"][0];
    assert_eq!(f["is_work_log"], false);
    assert!(f["why_not"].as_str().unwrap().contains("no entry heading `## vN | YYYY-MM-DD | Title`"), "{f}");
    assert!(!f["why_not"].as_str().unwrap().starts_with("not a Work Log"), "{f}");
}

#[test]
fn a_log_that_is_not_utf8_is_a_diagnostic_of_that_file() {
    let mut latin1 = log("- [LOW] caf").into_bytes();
    let offset = latin1.len();
    latin1.extend_from_slice(b"\xe9 cr\xe8me\n");
    let dir = project(&[("ok.md", &log(""))]);
    std::fs::write(dir.path().join("latin1.md"), &latin1).unwrap();
    // A non-UTF-8 file that is not a log (UTF-16 with a BOM) is passed over.
    std::fs::write(dir.path().join("utf16.md"), b"\xff\xfe#\x00 \x00N\x00o\x00\n\x00").unwrap();
    let (code, out, err) = run_in(dir.path(), &["check"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains(&format!("error[not-text]: not UTF-8 text (invalid byte 0xE9 at offset {offset}); save the log as UTF-8")),
        "{out}"
    );
    assert!(out.contains("  --> latin1.md:14:12\n"), "{out}");
    assert!(out.contains("14 | - [LOW] caf\u{FFFD} cr\u{FFFD}me\n   |            ^\n"), "{out}");
    assert!(out.ends_with("checked 2 Work Logs: 1 error, 0 warnings\n"), "{out}");
    assert!(err.is_empty(), "{err}");
    let (code, out, _) = run_in(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code, 1);
    let v = json(&out);
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 3);
    let latin = files.iter().find(|f| f["path"] == "latin1.md").expect("latin1.md");
    assert_eq!(latin["is_work_log"], true);
    let d = &latin["diagnostics"][0];
    assert_eq!((d["code"].as_str(), d["severity"].as_str()), (Some("not-text"), Some("error")));
    assert_eq!(d["range"]["start"], serde_json::json!({"line": 14, "column": 12, "offset": offset}));
    let utf16 = files.iter().find(|f| f["path"] == "utf16.md").expect("utf16.md");
    assert_eq!(utf16["is_work_log"], false);
    assert_eq!(utf16["why_not"], "not UTF-8 text (invalid byte 0xFF at offset 0)");
    // Named explicitly, it gets the note.
    let (code, _, err) = run_in(dir.path(), &["check", "utf16.md"]);
    assert_eq!(code, 0);
    assert!(err.contains("note: utf16.md: not a Work Log: not UTF-8 text (invalid byte 0xFF at offset 0)"), "{err}");
}

#[test]
fn files_over_the_size_cap_get_one_note() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("worklog.toml"), "max-file-size = 10\n").unwrap();
    std::fs::write(dir.path().join("big-worklog.md"), "---\nversion: v1\n---\n").unwrap();
    let (code, out, _) = run_in(dir.path(), &["check", "big-worklog.md"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("info[file-too-large]: Not analysed") && out.contains("\n--> big-worklog.md:1:1\n"), "{out}");
    assert!(out.ends_with("checked 0 Work Logs: 0 errors, 0 warnings, 1 note\n"), "{out}");
}

// ---------------------------------------------------------------- colour

#[test]
fn colour_follows_the_flag_and_no_color_and_clicolor_force() {
    let dir = project(&[("w.md", &log("- [high] d\n"))]);
    let esc = |s: &str| s.contains("\x1b[");
    let d = dir.path();
    // Not a terminal: no colour by default.
    let (_, out, _) = run_env(d, &["check", "w.md"], &[]);
    assert!(!esc(&out), "{out}");
    // CLICOLOR_FORCE forces it, NO_COLOR wins over it.
    let (_, out, _) = run_env(d, &["check", "w.md"], &[("CLICOLOR_FORCE", "1")]);
    assert!(esc(&out) && out.contains("\x1b[1m\x1b[91merror"), "{out:?}");
    let (_, out, _) = run_env(d, &["check", "w.md"], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!esc(&out), "{out:?}");
    // An empty NO_COLOR does not count.
    let (_, out, _) = run_env(d, &["check", "w.md"], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "")]);
    assert!(esc(&out), "{out:?}");
    // The flag wins over both.
    let (_, out, _) = run_env(d, &["check", "--color", "always", "w.md"], &[("NO_COLOR", "1")]);
    assert!(esc(&out), "{out:?}");
    let (_, out, _) = run_env(d, &["check", "--color=never", "w.md"], &[("CLICOLOR_FORCE", "1")]);
    assert!(!esc(&out), "{out:?}");
    // Without the escapes, the coloured output is the plain one.
    let (_, coloured, _) = run_env(d, &["check", "--color", "always", "w.md"], &[]);
    let (_, plain, _) = run_env(d, &["check", "w.md"], &[]);
    assert_eq!(strip_ansi(&coloured), plain);
    // Machine formats are never coloured.
    let (_, out, _) = run_env(d, &["check", "--format", "json", "--color", "always", "w.md"], &[]);
    json(&out);
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\x1b' && it.peek() == Some(&'[') {
            for c in it.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------- JSON

#[test]
fn json_is_one_object_with_files_and_a_summary() {
    let (code, out, _) = run(&["check", "--format", "json", "--root", "tests/data/spec-cases", "tests/data/spec-cases"]);
    assert_eq!(code, 1);
    let v = json(&out);
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&v), ["files", "io_errors", "summary", "version"]);
    assert_eq!(v["version"], 1);
    let files = v["files"].as_array().unwrap();
    let errors = files.iter().find(|f| f["path"] == "tests/data/spec-cases/errors.md").expect("errors.md");
    assert_eq!(keys(errors), ["diagnostics", "is_work_log", "path", "project_root"]);
    assert_eq!(errors["is_work_log"], true);
    let first = &errors["diagnostics"][0];
    assert_eq!(keys(first), ["code", "fixes", "message", "range", "severity"]);
    assert_eq!(first["code"], "missing-status");
    assert_eq!(first["severity"], "error");
    assert_eq!(
        first["range"],
        serde_json::json!({"start": {"line": 1, "column": 1, "offset": 0}, "end": {"line": 1, "column": 4, "offset": 3}})
    );
    let not_log = files.iter().find(|f| f["path"] == "tests/data/spec-cases/not-a-log.md").expect("not-a-log.md");
    assert_eq!(not_log["is_work_log"], false);
    assert!(not_log["why_not"].is_string());
    assert_eq!(not_log["diagnostics"], serde_json::json!([]));
    let s = &v["summary"];
    assert_eq!(
        keys(s),
        ["errors", "files_checked", "hints", "information", "references_checked", "references_not_checked_reason", "warnings", "work_logs"]
    );
    assert_eq!(s["files_checked"].as_u64(), Some(files.len() as u64));
    let count = |sev: &str| files.iter().flat_map(|f| f["diagnostics"].as_array().unwrap()).filter(|d| d["severity"] == sev).count() as u64;
    for (key, sev) in [("errors", "error"), ("warnings", "warning"), ("information", "information"), ("hints", "hint")] {
        assert_eq!(s[key].as_u64(), Some(count(sev)), "{key}");
    }
    assert_eq!(s["work_logs"].as_u64(), Some(files.iter().filter(|f| f["is_work_log"] == true).count() as u64));
    assert_eq!((&s["references_checked"], &s["references_not_checked_reason"]), (&Value::Bool(true), &Value::Null));
}

#[test]
fn json_says_when_nothing_was_found() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run_in(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code, 0);
    let v = json(&out);
    assert_eq!(v["files"], serde_json::json!([]));
    assert_eq!(v["summary"]["files_checked"], 0);
    assert_eq!(v["summary"]["work_logs"], 0);
}

#[test]
fn a_file_named_twice_is_checked_once() {
    let dir = project(&[("w.md", &log("- [high] d\n"))]);
    let (code, out, _) = run_in(dir.path(), &["check", "--format", "json", "w.md", ".", "./w.md"]);
    assert_eq!(code, 1);
    let v = json(&out);
    assert_eq!(v["summary"]["files_checked"], 1);
    assert_eq!(v["summary"]["errors"], 1);
}

#[test]
fn settings_warnings_go_to_stderr_in_every_format() {
    let dir = project(&[("w.md", &log(""))]);
    std::fs::write(dir.path().join("worklog.toml"), "bogus = 1\n").unwrap();
    for format in ["human", "json", "sarif"] {
        let (code, out, err) = run_in(dir.path(), &["check", "--format", format]);
        assert_eq!(code, 0, "{format}: {out}{err}");
        assert!(err.contains("warning: ") && err.contains("worklog.toml: ") && err.contains("`bogus`"), "{format}: {err}");
    }
}

#[test]
fn folders_are_walked_for_markdown_honouring_ignore_files() {
    let dir = project(&[
        (".gitignore", "build/\n"),
        ("a.md", &log("")),
        ("b.markdown", &log("")),
        ("c.txt", &log("")),
        ("build/d.md", &log("")),
        (".hidden/e.md", &log("")),
        ("sub/f.MD", &log("")),
    ]);
    let (code, out, _) = run_in(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code, 0);
    let v = json(&out);
    let paths: Vec<&str> = v["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["a.md", "b.markdown", "sub/f.MD"]);
    // A named file is checked whatever its name.
    let (_, out, _) = run_in(dir.path(), &["check", "--format", "json", "c.txt", "build/d.md"]);
    assert_eq!(json(&out)["summary"]["work_logs"], 2);
}

// ---------------------------------------------------------------- project root

#[test]
fn without_a_project_root_references_are_not_checked_and_the_summary_says_why() {
    let dir = tempfile::tempdir().unwrap();
    // No worklog.toml or .git above (unless the temporary folder has one).
    let d = dir.path();
    if d.ancestors().any(|a| a.join(".git").exists() || a.join("worklog.toml").exists()) {
        return;
    }
    write_files(d, &[("logs/w.md", &log("**Files:**\n- `src/missing.rs` (x)\n")), ("logs/v.md", &log(""))]);
    let (code, out, _) = run_in(d, &["check", "logs"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("file-not-found"), "{out}");
    assert_eq!(
        out,
        "note: references were not checked against the disk: no project root: no worklog.toml or .git above logs/v.md (and 1 other log); pass --root\nchecked 2 Work Logs: 0 errors, 0 warnings\n"
    );
    let (_, out, _) = run_in(d, &["check", "--format", "json", "logs/w.md"]);
    let v = json(&out);
    assert_eq!(v["summary"]["references_checked"], false);
    assert_eq!(v["summary"]["references_not_checked_reason"], "no project root: no worklog.toml or .git above logs/w.md; pass --root");
    assert_eq!(v["files"][0]["project_root"], Value::Null);
    // --root checks them.
    let (code, out, _) = run_in(d, &["check", "--root", ".", "logs/w.md"]);
    assert_eq!(code, 0);
    assert!(out.contains("warning[file-not-found]: `src/missing.rs`"), "{out}");
    assert!(!out.contains("not checked"), "{out}");
    // So does a .git above the log, and references resolve against it.
    std::fs::create_dir(d.join(".git")).unwrap();
    write_files(d, &[("src/missing.rs", "")]);
    let (code, out, _) = run_in(d, &["check", "--format", "json", "logs/w.md"]);
    assert_eq!(code, 0);
    let v = json(&out);
    assert_eq!(v["summary"]["references_checked"], true);
    assert_eq!(v["files"][0]["diagnostics"], serde_json::json!([]));
    let canonical = std::fs::canonicalize(d).unwrap();
    assert_eq!(v["files"][0]["project_root"].as_str(), canonical.to_str());
}

#[test]
fn the_nearest_worklog_toml_is_the_root_of_each_log() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join(".git")).unwrap();
    write_files(
        d,
        &[
            ("a/worklog.toml", "severities = { missing-priority = \"error\" }\n"),
            ("a/src/x.rs", "1\n"),
            ("a/w.md", &log("- no priority\n**Files:**\n- `src/x.rs:1` (x)\n")),
            ("b/w.md", &log("- no priority\n**Files:**\n- `src/x.rs:1` (x)\n")),
        ],
    );
    let (code, out, _) = run_in(d, &["check", "--format", "json"]);
    assert_eq!(code, 1);
    let v = json(&out);
    let a = &v["files"][0];
    let b = &v["files"][1];
    assert_eq!(a["path"], "a/w.md");
    // a/: its own settings, and `src/x.rs` resolves inside a/.
    let codes =
        |f: &Value| f["diagnostics"].as_array().unwrap().iter().map(|d| format!("{}:{}", d["code"], d["severity"])).collect::<Vec<_>>();
    assert_eq!(codes(a), ["\"missing-priority\":\"error\""]);
    // b/: rooted at the .git folder, where src/x.rs does not exist.
    assert_eq!(codes(b), ["\"missing-priority\":\"warning\"", "\"file-not-found\":\"warning\""]);
}

// ---------------------------------------------------------------- SARIF

#[test]
fn sarif_has_the_shape_code_scanning_reads() {
    let dir = project(&[("docs/w.md", &log("- [high] d\n- e\n")), ("README.md", "# not a log\n")]);
    let (code, out, err) = run_in(dir.path(), &["check", "--format", "sarif", "docs/w.md", "README.md"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.is_empty(), "{err}");
    let v = json(&out);
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "worklog-ls");
    let rules = driver["rules"].as_array().unwrap();
    let rule_ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for (id, level) in [("missing-status", "error"), ("missing-priority", "warning"), ("unknown-section", "note"), ("not-text", "error")] {
        let r = rules.iter().find(|r| r["id"] == id).unwrap_or_else(|| panic!("rule {id}"));
        assert_eq!(r["defaultConfiguration"]["level"], level, "{id}");
        assert!(r["shortDescription"]["text"].as_str().is_some_and(|t| !t.is_empty()), "{id}");
    }
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(r["ruleId"].as_str(), Some(rule_ids[i]));
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        assert!(r["message"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "docs/w.md");
        let region = &loc["region"];
        for k in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[k].as_u64().is_some_and(|n| n >= 1), "{k}: {region}");
        }
    }
    let bad = results.iter().find(|r| r["ruleId"] == "bad-priority").unwrap();
    assert_eq!(bad["level"], "error");
    let region = &bad["locations"][0]["physicalLocation"]["region"];
    assert_eq!((region["startLine"].as_u64(), region["startColumn"].as_u64(), region["endColumn"].as_u64()), (Some(14), Some(3), Some(9)));
    // The not-a-log note travels as a notification.
    let notes = run["invocations"][0]["toolExecutionNotifications"].as_array().unwrap();
    assert!(notes.iter().any(|n| n["message"]["text"].as_str().unwrap().starts_with("README.md: not a Work Log")), "{notes:?}");
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
}

// ---------------------------------------------------------------- packaging

#[test]
fn pre_commit_hook_runs_check_on_markdown() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml")).unwrap();
    for line in ["- id: worklog-ls", "  entry: worklog-ls check", "  language: rust", "  files: \\.md$"] {
        assert!(text.lines().any(|l| l == line), "missing `{line}` in\n{text}");
    }
    // pre-commit passes the staged files after `--` is not used; a list of
    // files is what `check` takes.
    let dir = project(&[("a.md", &log("")), ("b.md", "# b\n")]);
    let (code, _, _) = run_in(dir.path(), &["check", "a.md", "b.md"]);
    assert_eq!(code, 0);
}

#[test]
fn the_package_is_ready_to_publish() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let toml = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    for key in ["license = \"MIT OR Apache-2.0\"", "readme = \"README.md\"", "keywords = [", "categories = [", "rust-version = \""] {
        assert!(toml.contains(key), "Cargo.toml lacks {key}");
    }
    for f in ["LICENSE-MIT", "LICENSE-APACHE"] {
        let text = std::fs::read_to_string(root.join(f)).unwrap_or_default();
        assert!(text.len() > 1000, "{f} is missing or too short");
    }
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(readme.contains("cargo install worklog-ls") && readme.contains("cargo install --locked --path ."));
}

/// Clients append `--stdio` to the arguments they were given (VS Code's
/// language client does): a repeated `--stdio` still serves.
#[test]
fn a_repeated_stdio_flag_still_serves() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_worklog-ls"))
        .args(["--stdio", "--stdio"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("cannot be used multiple times"), "{err}");
    assert_ne!(out.status.code(), Some(2), "{err}");
}
