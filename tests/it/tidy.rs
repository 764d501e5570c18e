//! Tidy: the facts kept in more than one place agree, and the boundaries of
//! ARCHITECTURE.md hold (rust-analyzer's `xtask/src/tidy.rs` is the model).
//! A failure says what to change.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use worklog_ls::analysis::Code;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The source without comment lines (`//`, `//!`, `///`).
fn code_of(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap().lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// The top-level module a file of `src/` belongs to (`src/ide/mod.rs` → `ide`).
fn module_of(p: &Path) -> Option<String> {
    let rel = p.strip_prefix(root().join("src")).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then(|| name.to_string())
}

fn codes() -> BTreeSet<String> {
    Code::ALL.iter().map(|c| c.as_str().to_string()).collect()
}

#[test]
fn module_graph_has_no_cycle() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in rust_files(&root().join("src")) {
        let Some(from) = module_of(&f) else { continue };
        let code = code_of(&f);
        for (i, _) in code.match_indices("crate::") {
            let to: String = code[i + 7..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if !to.is_empty() && to != from {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    // Depth-first search for a back edge.
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|s| s == n) {
            let mut cycle = stack[i..].to_vec();
            cycle.push(n.to_string());
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        stack.push(n.to_string());
        for m in edges.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, edges, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for n in edges.keys() {
        if let Some(c) = visit(n, &edges, &mut Vec::new(), &mut done) {
            panic!("module cycle: {} (edges: {edges:?}); move the shared part below both", c.join(" → "));
        }
    }
}

#[test]
fn only_src_lsp_names_protocol_types() {
    let mut bad = Vec::new();
    for f in rust_files(&root().join("src")) {
        if f.starts_with(root().join("src/lsp")) {
            continue;
        }
        let code = code_of(&f);
        for needle in ["tower_lsp", "ls_types", "lsp_types"] {
            if code.contains(needle) {
                bad.push(format!("{} names `{needle}`", f.display()));
            }
        }
    }
    assert!(bad.is_empty(), "protocol types belong in src/lsp/ (convert there):\n{}", bad.join("\n"));
}

#[test]
fn analysis_layers_do_no_io() {
    let mut bad = Vec::new();
    for dir in ["src/syntax", "src/model", "src/diagnostic", "src/analysis", "src/ide"] {
        for f in rust_files(&root().join(dir)) {
            let code = code_of(&f);
            // Tests may read fixtures; the code above them may not.
            let code = code.split("#[cfg(test)]").next().unwrap_or("");
            for needle in ["std::fs", "fs::read", "File::open", "std::process"] {
                if code.contains(needle) {
                    bad.push(format!("{} uses `{needle}`", f.display()));
                }
            }
        }
    }
    let doc = code_of(&root().join("src/document.rs"));
    if doc.contains("std::fs") {
        bad.push("src/document.rs uses `std::fs`".into());
    }
    assert!(bad.is_empty(), "the analysis never does IO; disk facts come through FileFacts:\n{}", bad.join("\n"));
}

#[test]
fn every_code_is_documented() {
    let doc = std::fs::read_to_string(root().join("docs/format.md")).unwrap();
    let table: BTreeSet<String> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .flat_map(|l| {
            // `| `a` / `b` | …`: every backticked code in the first cell.
            let cell = l.split(" | ").next().unwrap_or("");
            format!("`{cell}").split('`').skip(1).step_by(2).map(str::to_string).collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(table, codes(), "docs/format.md's code table must list exactly Code::ALL");
}

/// Replaces the text between `open` (after `anchor`) and the next `close`
/// with `body`.
fn splice(text: &str, anchor: &str, open: &str, close: &str, body: &str) -> String {
    let at = text.find(anchor).unwrap_or_else(|| panic!("`{anchor}` not found"));
    let start = at + text[at..].find(open).unwrap_or_else(|| panic!("`{open}` not found after `{anchor}`")) + open.len();
    let end = start + text[start..].find(close).unwrap_or_else(|| panic!("`{close}` not found"));
    format!("{}{body}{}", &text[..start], &text[end..])
}

/// Writes `want` to `path` if it differs, and fails so the change gets
/// committed (rust-analyzer's `ensure_file_contents`).
fn ensure_generated(path: &str, want: &str, stale: &mut Vec<String>) {
    let p = root().join(path);
    if std::fs::read_to_string(&p).unwrap() != want {
        std::fs::write(&p, want).unwrap();
        stale.push(path.to_string());
    }
}

/// The editors' lists of codes are generated from `Code::ALL` (the VS Code
/// settings schema's `worklog.severities` names, the Helix validator's
/// `WORKLOG_CODES`): this test rewrites them when they differ, then fails.
#[test]
fn editor_code_lists_are_generated_from_code_all() {
    let names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    let mut stale = Vec::new();

    let path = "editors/vscode/package.json";
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    let items: Vec<String> = names.iter().map(|n| format!("              \"{n}\"")).collect();
    let body = format!("\n{}\n            ", items.join(",\n"));
    ensure_generated(path, &splice(&text, "\"worklog.severities\"", "\"enum\": [", "]", &body), &mut stale);

    let path = "editors/helix/validate.py";
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    let mut lines = vec![String::new()];
    for n in &names {
        let item = format!("\"{n}\",");
        let last = lines.last_mut().unwrap();
        if !last.is_empty() && last.len() + 1 + item.len() > 80 {
            lines.push(String::new());
        }
        let last = lines.last_mut().unwrap();
        if last.is_empty() {
            last.push_str("    ");
        } else {
            last.push(' ');
        }
        last.push_str(&item);
    }
    let body = format!("\n{}\n", lines.join("\n"));
    ensure_generated(path, &splice(&text, "WORKLOG_CODES = {", "{", "}", &body), &mut stale);

    assert!(stale.is_empty(), "regenerated from Code::ALL, commit them: {}", stale.join(", "));
    // The generated lists still parse as what the editors read.
    let pkg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("editors/vscode/package.json")).unwrap()).unwrap();
    let listed: BTreeSet<String> = pkg["contributes"]["configuration"]["properties"]["worklog.severities"]["propertyNames"]["enum"]
        .as_array()
        .expect("worklog.severities.propertyNames.enum in editors/vscode/package.json")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    assert_eq!(listed, codes());
}

#[test]
fn every_code_has_a_fixture() {
    let mut tests = String::new();
    for f in rust_files(&root().join("tests/it")) {
        tests.push_str(&std::fs::read_to_string(f).unwrap());
    }
    tests.push_str(&std::fs::read_to_string(root().join("tests/data/spec-cases/expected.json")).unwrap());
    let missing: Vec<String> = codes()
        .into_iter()
        .filter(|c| ![format!(" {c} `"), format!("\"{c}\""), format!("[{c}]")].iter().any(|p| tests.contains(p.as_str())))
        .collect();
    assert!(missing.is_empty(), "codes with no fixture that produces them: {missing:?} (add one to tests/it/diagnostics.rs)");
}

#[test]
fn rust_version_covers_the_lockfile() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let ours = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .expect("rust-version in Cargo.toml");
    let out = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .current_dir(root())
        .output()
        .unwrap();
    if !out.status.success() {
        return; // no registry cache here: nothing to compare with
    }
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let parse = |v: &str| -> Vec<u32> { v.split('.').map(|x| x.parse().unwrap_or(0)).collect() };
    let need = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| Some((p["rust_version"].as_str()?.to_string(), p["name"].as_str()?.to_string())))
        .max_by_key(|(v, _)| parse(v));
    if let Some((v, name)) = need {
        assert!(parse(ours) >= parse(&v), "rust-version {ours} is below {v}, which the locked `{name}` needs");
    }
}

/// No room in `src/` holds more than ~500 lines of code (its test module
/// and files that are test modules not counted) unless its first lines say
/// why (a `//! Long file:` line).
#[test]
fn source_files_are_small_or_say_why() {
    const MAX: usize = 520;
    let mut long = Vec::new();
    for f in rust_files(&root().join("src")) {
        let text = std::fs::read_to_string(&f).unwrap();
        if f.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let code = text.split("\n#[cfg(test)]").next().unwrap_or("").lines().count();
        let says_why = text.lines().take(30).any(|l| l.starts_with("//! Long file:"));
        if code > MAX && !says_why {
            long.push(format!("{} ({code} lines)", f.strip_prefix(root()).unwrap().display()));
        }
    }
    assert!(long.is_empty(), "split these files, or say at their top why not (a `//! Long file: …` line):\n{}", long.join("\n"));
}

/// SARIF describes every rule: each code has an entry in
/// `src/cli/machine.rs`'s `DESCRIPTIONS`.
#[test]
fn every_code_is_described_for_sarif() {
    let text = std::fs::read_to_string(root().join("src/cli/machine.rs")).unwrap();
    let block = text.split("const DESCRIPTIONS").nth(1).and_then(|b| b.split("];").next()).expect("DESCRIPTIONS in machine.rs");
    let missing: Vec<String> = codes().into_iter().filter(|c| !block.contains(&format!("(\"{c}\","))).collect();
    assert!(missing.is_empty(), "src/cli/machine.rs DESCRIPTIONS lacks: {}", missing.join(", "));
}

/// The settings the server reads (`config::SETTINGS`) are the ones the VS
/// Code schema contributes (besides its own `server.path` and
/// `trace.server`), the Helix validator knows, and the README documents.
#[test]
fn settings_agree_everywhere() {
    let want: BTreeSet<String> = worklog_ls::config::SETTINGS.iter().map(|s| s.to_string()).collect();
    let pkg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("editors/vscode/package.json")).unwrap()).unwrap();
    let vscode: BTreeSet<String> = pkg["contributes"]["configuration"]["properties"]
        .as_object()
        .expect("contributes.configuration.properties")
        .keys()
        .filter_map(|k| k.strip_prefix("worklog."))
        .filter(|k| !matches!(*k, "server.path" | "trace.server"))
        .map(str::to_string)
        .collect();
    assert_eq!(vscode, want, "editors/vscode/package.json settings must be config::SETTINGS");
    let helix = std::fs::read_to_string(root().join("editors/helix/validate.py")).unwrap();
    let block = helix.split("WORKLOG_SETTINGS = {").nth(1).and_then(|b| b.split('}').next()).expect("WORKLOG_SETTINGS");
    let listed: BTreeSet<String> = block.split('"').skip(1).step_by(2).map(str::to_string).collect();
    assert_eq!(listed, want, "editors/helix/validate.py WORKLOG_SETTINGS must be config::SETTINGS");
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let missing: Vec<&String> = want.iter().filter(|k| !readme.contains(&format!("| `{k}` |"))).collect();
    assert!(missing.is_empty(), "README.md's settings table lacks {missing:?}");
}
