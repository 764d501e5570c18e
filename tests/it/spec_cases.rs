//! The worked examples of `../shared/spec/cases/` give exactly the expected
//! `[line, code]` pairs.

use std::path::Path;

use worklog_ls::analysis::{diagnostics, Context};
use worklog_ls::config::Config;
use worklog_ls::document::Document;

use crate::support::FakeFacts;

fn cases_dir() -> Option<std::path::PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/spec-cases");
    d.exists().then_some(d)
}

#[test]
fn spec_cases_match_expected() {
    let dir = cases_dir().expect("tests/data/spec-cases exists");
    let expected: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let facts = FakeFacts::new(&[("src/app/main.rs", 120), ("src/app/db.rs", 40)]);
    let config = Config::default();
    for (name, want) in expected.as_object().unwrap() {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        let doc = Document::new(&text);
        let path = Path::new("/ws").join(name);
        let cx = Context { config: &config, path: Some(&path), facts: &facts };
        let got: Vec<(usize, String)> =
            diagnostics(&doc, &cx).iter().map(|d| (doc.rope().byte_to_line(d.range.start), d.code.as_str().to_string())).collect();
        let mut want: Vec<(usize, String)> =
            want.as_array().unwrap().iter().map(|p| (p[0].as_u64().unwrap() as usize, p[1].as_str().unwrap().to_string())).collect();
        let mut got_sorted = got.clone();
        got_sorted.sort();
        want.sort();
        assert_eq!(got_sorted, want, "{name}: {:#?}", diagnostics(&doc, &cx));
    }
}
