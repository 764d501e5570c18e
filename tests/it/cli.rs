//! `worklog-ls check`: output, formats, exit codes.

use std::path::Path;
use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_worklog-ls"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run worklog-ls");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn examples_are_clean() {
    let (code, out, _) = run(&["check", "examples/"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.ends_with("checked 4 Work Logs: 0 errors, 0 warnings\n"), "{out}");
}

#[test]
fn errors_are_reported_compiler_style_with_exit_1() {
    let (code, out, _) = run(&["check", "--root", "tests/data/spec-cases", "tests/data/spec-cases/errors.md"]);
    assert_eq!(code, 1);
    assert!(out.contains("tests/data/spec-cases/errors.md:1:1: error[missing-status]:"), "{out}");
    assert!(out.contains("10 | - [Medium] Pick a driver\n   |   ^^^^^^^^\n"), "{out}");
    assert!(out.contains("19:4: warning[file-not-found]: `src/app/cache.rs`"), "{out}");
    assert!(out.ends_with("checked 1 Work Log: 3 errors, 6 warnings, 1 note\n"), "{out}");
}

#[test]
fn json_output_and_warnings_only_exit_0() {
    let (code, out, _) = run(&["check", "--format", "json", "--root", "tests/data/spec-cases", "tests/data/spec-cases"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let first = &v[0];
    assert_eq!(first["code"], "missing-status");
    assert_eq!((first["line"].as_u64(), first["column"].as_u64()), (Some(1), Some(1)));
    assert_eq!(v.as_array().unwrap().len(), 10);
    // A log with warnings only exits 0.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("worklog.toml"), "").unwrap();
    let log = dir.path().join("w.md");
    std::fs::write(&log, "---\nversion: v1\nstatus: blocked\n---\n## v1 | 2025-01-01 10:00 | A\n**Prev:** a\n**Now:** b\n**Progress:** 1%\n**Next:**\n- [LOW] c\n").unwrap();
    let (code, out, _) = run(&["check", log.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("warning[missing-title]"), "{out}");
}

#[test]
fn usage_and_io_errors_exit_2() {
    let (code, _, err) = run(&["check", "--format", "xml"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown format `xml`"), "{err}");
    let (code, _, err) = run(&["check", "no/such/file.md"]);
    assert_eq!(code, 2);
    assert!(err.contains("no/such/file.md"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("b.md");
    std::fs::write(&bin, [0xff, 0xfe, 0x00, 0x41]).unwrap();
    let (code, _, err) = run(&["check", bin.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("not a UTF-8 text file"), "{err}");
    let (code, out, _) = run(&["--version"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("worklog-ls "));
    assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md").exists());
}

#[test]
fn files_over_the_size_cap_get_one_note() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("worklog.toml"), "max-file-size = 10\n").unwrap();
    let log = dir.path().join("big-worklog.md");
    std::fs::write(&log, "---\nversion: v1\n---\n").unwrap();
    let (code, out, _) = run(&["check", log.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(":1:1: info[file-too-large]: Not analysed"), "{out}");
}
