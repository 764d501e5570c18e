//! Completion, definition and hover at a `$0` cursor. Each check writes
//! its own multi-file fixture (`//- path` sections, `super::fixture`) to a
//! temporary folder: the project below, and the log at `docs/log.md`.

use std::sync::Arc;

use expect_test::{expect, Expect};
use worklog_ls::document::Document;
use worklog_ls::ide::{self, completion};
use worklog_ls::workspace::{FileIndex, LineCache, PathMatcher, WorkspaceFacts};

use super::fixture::{Fixture, Written};

/// Files named like each other, an ignored copy of a real file name, a
/// symlink that leaves the root, and a file outside it.
const PROJECT: &str = "\
//- worklog.toml
//- .gitignore
node_modules/
//- src/auth/service.ts lines=145
//- src/routes/auth.ts lines=125
//- src/types/auth.ts lines=28
//- docs/notes.md lines=3
//- docs/design/api.md lines=5
//- lib/a/util.rs lines=2
//- lib/b/util.rs lines=2
//- node_modules/pkg/service.ts lines=9
//- ../outside/secret.rs
secret
//- src/out -> ../../outside
";

/// A fixture on disk with its index, and the log holding `$0` parsed.
struct Ws {
    w: Written,
    index: Arc<FileIndex>,
    matcher: PathMatcher,
    doc: Document,
    at: usize,
    log: std::path::PathBuf,
}

impl Ws {
    fn facts(&self) -> WorkspaceFacts {
        WorkspaceFacts::new(&self.w.root, Some(self.index.clone()), Arc::new(LineCache::new(1 << 24)))
    }
}

fn open(fixture: &str) -> Ws {
    let f = Fixture::parse(fixture);
    let (file, at) = f.cursor.clone().expect("fixture has $0");
    let w = f.write();
    let index = Arc::new(FileIndex::build(&w.root));
    Ws { doc: Document::new(f.text(&file)), at, log: w.path(&file), index, matcher: PathMatcher::new(), w }
}

/// The project with `log` at `docs/log.md`.
fn with_log(log: &str) -> Ws {
    open(&format!("{PROJECT}//- docs/log.md\n{log}"))
}

const LOG: &str = "---\nversion: v2\nstatus: in_progress\n---\n# Log\n## v1 | 2025-11-13 14:00 | Plan\n**Prev:** new\n**Now:** planning\n**Progress:** 0% | plan ✅\n**Next:**\n- [HIGH] build\n## v2 | 2025-11-14 10:00 | Build\n**Prev:** v1 planning\n**Now:** building\n**Progress:** 50%\n";

fn complete(text: &str) -> String {
    let ws = with_log(text);
    let (doc, f) = (&ws.doc, ws.facts());
    let env = completion::Env {
        log: Some(&ws.log),
        index: Some(&ws.index),
        matcher: Some(&ws.matcher),
        facts: &f,
        log_dir: Some("docs"),
        limit: 5,
    };
    match completion::complete(doc, ws.at, &env) {
        None => "none".into(),
        Some(c) => {
            let mut s = format!("replace `{}`{}\n", doc.slice(c.replace.clone()), if c.incomplete { " (incomplete)" } else { "" });
            for it in &c.items {
                s.push_str(&format!("{}\n", it.insert));
            }
            s
        }
    }
}

fn check_completion(text: &str, expect: Expect) {
    expect.assert_eq(&complete(&format!("{LOG}{text}")));
}

#[test]
fn path_completion_contexts() {
    check_completion(
        "**Files:**\n- `rout$0`\n",
        expect![[r#"
        replace `rout` (incomplete)
        src/routes/auth.ts
    "#]],
    );
    check_completion(
        "**Files:**\n- `src/au$0\n",
        expect![[r#"
        replace `src/au` (incomplete)
        src/auth/service.ts
        src/types/auth.ts
        src/routes/auth.ts
    "#]],
    );
    // A Files bullet without backticks, a work line, parentheses.
    check_completion(
        "**Files:**\n- serv$0\n",
        expect![[r#"
        replace `serv` (incomplete)
        src/auth/service.ts
    "#]],
    );
    check_completion(
        "**Work:**\n+: types$0\n",
        expect![[r#"
        replace `types` (incomplete)
        src/types/auth.ts
    "#]],
    );
    check_completion(
        "**Now:** see (util$0\n",
        expect![[r#"
        replace `util` (incomplete)
        lib/a/util.rs
        lib/b/util.rs
    "#]],
    );
    // Relative to the log's folder (the log itself, `./log.md`, is not offered).
    check_completion(
        "**Files:**\n- `./$0`\n",
        expect![[r#"
        replace `./` (incomplete)
        ./notes.md
        ./design/api.md
    "#]],
    );
    // Not a path context: plain prose.
    check_completion("**Now:** rout$0\n", expect!["none"]);
}

#[test]
fn ignored_and_outside_files_are_never_offered() {
    // The items only (the first line is the replaced text).
    let items = |t: &str| complete(&format!("{LOG}**Files:**\n- `{t}$0`\n")).lines().skip(1).collect::<Vec<_>>().join("\n");
    let all = items("");
    assert!(!all.is_empty() && !all.contains("node_modules") && !all.contains("secret") && !all.contains("src/out"), "{all}");
    let got = items("node_modules/pkg/serv");
    assert!(!got.contains("node_modules"), "{got}");
    let got = items("secret");
    assert!(!got.contains("secret.rs"), "{got}");
}

#[test]
fn range_priority_label_and_status_completion() {
    check_completion(
        "**Files:**\n- `src/auth/service.ts:$0`\n",
        expect![[r#"
        replace ``
        L1-145
        1-145
    "#]],
    );
    check_completion(
        "**Next:**\n- [$0\n",
        expect![[r#"
        replace `[`
        [HIGH] 
        [MED] 
        [LOW] 
    "#]],
    );
    check_completion(
        "**Next:**\n- [ ] [me$0] x\n",
        expect![[r#"
        replace `[me]`
        [HIGH]
        [MED]
        [LOW]
    "#]],
    );
    check_completion(
        "**Ne$0\n",
        expect![[r#"
        replace `**Ne`
        **Prev:** 
        **Now:** 
        **Progress:** 
        **Files:** 
        **Work:** 
        **Decisions:** 
        **Works:** 
        **Fails:** 
        **Blockers:** 
        **Next:** 
        **Open:** 
        **Review Checklist:** 
    "#]],
    );
    expect![[r#"
        replace `in`
        in_progress
        needs_review
        blocked
        completed
    "#]]
    .assert_eq(&complete("---\nversion: v1\nstatus: in$0\n---\n"));
}

fn definition(text: &str) -> String {
    let ws = with_log(&format!("{LOG}{text}"));
    let (doc, f) = (&ws.doc, ws.facts());
    match ide::definition(doc, ws.at, Some(&ws.log), &f) {
        None => "none".into(),
        Some((origin, targets)) => {
            let mut s = format!("from `{}`\n", doc.slice(origin));
            for t in targets {
                match t {
                    ide::Target::File { path, lines } => {
                        let rel = ws.w.rel(&path);
                        s.push_str(&format!("{rel} {:?}\n", lines.map(|l| (l.start, l.end))));
                    }
                    ide::Target::Here(r) => s.push_str(&format!("here `{}`\n", doc.slice(r))),
                }
            }
            s
        }
    }
}

#[test]
fn definition_from_every_reference_form() {
    let check = |t: &str, e: Expect| e.assert_eq(&definition(t));
    check(
        "**Work:**\n+: src/auth/service.$0ts:84-120 (rotation)\n",
        expect![[r#"
        from `src/auth/service.ts:84-120`
        src/auth/service.ts Some((84, 120))
    "#]],
    );
    check(
        "**Files:**\n- `src/routes/auth.ts`\n  - L5$00-85: refresh\n",
        expect![[r#"
        from `L50-85`
        src/routes/auth.ts Some((50, 85))
    "#]],
    );
    // A bare name: the ignored node_modules copy does not make it ambiguous.
    check(
        "**Next:**\n- [HIGH] rotate in serv$0ice.ts:84-120\n",
        expect![[r#"
        from `service.ts:84-120`
        src/auth/service.ts Some((84, 120))
    "#]],
    );
    check(
        "**Now:** see `util.r$0s:1`\n",
        expect![[r#"
        from `util.rs:1`
        lib/a/util.rs Some((1, 1))
        lib/b/util.rs Some((1, 1))
    "#]],
    );
    check(
        "**Now:** see [the service](src/auth/serv$0ice.ts#L10-L20)\n",
        expect![[r#"
        from `src/auth/service.ts#L10-L20`
        src/auth/service.ts Some((10, 20))
    "#]],
    );
    check(
        "**Now:** GitHub style src/types/auth.ts#L$03\n",
        expect![[r#"
        from `src/types/auth.ts#L3`
        src/types/auth.ts Some((3, 3))
    "#]],
    );
    check(
        "**Files:**\n- `./not$0es.md`\n",
        expect![[r#"
        from `./notes.md`
        docs/notes.md None
    "#]],
    );
    // A version mention goes to that entry's heading.
    check(
        "**Decisions:** as in v$01\n",
        expect![[r#"
        from `v1`
        here `## v1 | 2025-11-13 14:00 | Plan`
    "#]],
    );
    // Nothing outside the workspace, through `..`, `/` or a symlink.
    check("**Files:**\n- `src/out/sec$0ret.rs`\n", expect!["none"]);
    check("**Files:**\n- `../../outside/sec$0ret.rs`\n", expect!["none"]);
}

fn hover(text: &str) -> String {
    let ws = with_log(&format!("{LOG}{text}"));
    let f = ws.facts();
    match ide::hover(&ws.doc, ws.at, Some(&ws.log), &f) {
        None => "none".into(),
        Some(ide::HoverTarget::Text { markdown, .. }) => markdown,
        Some(ide::HoverTarget::Reference { written, files, lines, .. }) => {
            let l = lines.unwrap();
            let p = worklog_ls::workspace::preview(&ws.w.root, &files[0], l.start as usize, l.end as usize, 3).unwrap();
            ide::render_preview(&written, lines, &p.lines, p.total_lines, p.truncated)
        }
    }
}

#[test]
fn hovers() {
    expect![[r#"
        **src/auth/service.ts** — lines 84–120 of 145

        ```typescript
        line 84
        line 85
        line 86
        ```

        *(cut: the range is longer than the preview)*"#]]
    .assert_eq(&hover("**Work:**\n+: src/auth/serv$0ice.ts:84-120\n"));
    expect![[r#"
        **v1 | 2025-11-13 14:00 | Plan**

        **Now:** planning

        **Progress:** 0% | plan ✅"#]]
    .assert_eq(&hover("**Decisions:** see v$01\n"));
    expect!["**[HIGH]** — do next: blocks the hand-off's goal."].assert_eq(&hover("**Next:**\n- [HI$0GH] x\n"));
    expect!["`src/out/secret.rs` is outside the workspace; it is never read."].assert_eq(&hover("**Files:**\n- `src/out/sec$0ret.rs`\n"));
}

#[test]
fn outline_and_links() {
    let ws = with_log(&format!("{LOG}**Files:**\n- `src/types/auth.ts:3`\n- `missing.rs`$0\n"));
    let doc = &ws.doc;
    let syms: Vec<String> = ide::symbols(doc)
        .iter()
        .map(|s| format!("{} {:?} [{}]", s.name, s.detail, s.children.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(",")))
        .collect();
    expect![[r#"
        [
            "frontmatter Some(\"v2 · in_progress\") []",
            "Log None []",
            "v1 · 2025-11-13 · Plan Some(\"Plan\") [Prev,Now,Progress,Next]",
            "v2 · 2025-11-14 · Build Some(\"Build\") [Prev,Now,Progress,Files]",
        ]
    "#]]
    .assert_debug_eq(&syms);
    let links: Vec<String> = ide::links(doc, &ws.log, &ws.facts())
        .iter()
        .map(|l| format!("`{}` -> {} {:?}", doc.slice(l.range.clone()), ws.w.rel(&l.file), l.line))
        .collect();
    expect![[r#"
        [
            "`src/types/auth.ts:3` -> src/types/auth.ts Some(3)",
        ]
    "#]]
    .assert_debug_eq(&links);
}

/// A log of `n` entries `v1…vN`, each with two fields.
fn long_log(n: usize) -> String {
    let mut text = String::from("---\nversion: v1\nstatus: done\n---\n# Long\n");
    for v in 1..=n {
        text.push_str(&format!("## v{v} | 2025-11-13 14:00 | Step {v}\n**Prev:** p\n**Now:** n\n"));
    }
    text
}

/// The outline of a long log: the latest `OUTLINE_ENTRIES` one by one
/// (fields for the latest `OUTLINE_FIELDS_OF_LATEST`), older ones grouped.
#[test]
fn long_outline_groups_older_entries() {
    let outline = |n: usize| -> String {
        let doc = Document::new(&long_log(n));
        ide::symbols(&doc)
            .iter()
            .map(|s| {
                format!(
                    "{}{}",
                    s.name.split(" · ").next().unwrap_or(""),
                    if s.children.is_empty() { String::new() } else { format!("[{}]", s.children.len()) }
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(outline(3), "frontmatter Long v1[2] v2[2] v3[2]");
    let at_limit = outline(ide::OUTLINE_ENTRIES);
    assert!(at_limit.starts_with("frontmatter Long v1[2] v2[2] "), "{at_limit}");
    expect!["frontmatter Long v1 v2 v3 v4 v5 v6 v7 v8 v9 v10 v11 v12 v13 v14 v15 v16 v17 v18 v19 v20 v21 v22 v23 v24 v25 v26 v27 v28 v29 v30 v31 v32 v33 v34 v35 v36 v37 v38 v39 v40 v41 v42 v43 v44 v45 v46 v47 v48 v49 v50 v51[2] v52[2] v53[2]"].assert_eq(&outline(53));
    let big = outline(5_000);
    let items: Vec<&str> = big.split(' ').collect();
    // `OUTLINE_GROUPS` groups of equal size, then the latest `OUTLINE_ENTRIES`.
    let older = 5_000 - ide::OUTLINE_ENTRIES;
    let size = older.div_ceil(ide::OUTLINE_GROUPS);
    assert_eq!(older % ide::OUTLINE_GROUPS, 0, "the test assumes equal groups");
    assert_eq!(items.len(), 2 + ide::OUTLINE_GROUPS + ide::OUTLINE_ENTRIES, "{big}");
    assert_eq!(items[2], format!("v1–v{size}"));
    assert_eq!(items[3], format!("v{}–v{}", size + 1, 2 * size));
    assert_eq!(items[2 + ide::OUTLINE_GROUPS - 1], format!("v{}–v{older}", older - size + 1));
    assert_eq!(items[2 + ide::OUTLINE_GROUPS], format!("v{}", older + 1));
    let with_fields = items.iter().filter(|i| i.ends_with("[2]")).count();
    assert_eq!(with_fields, ide::OUTLINE_FIELDS_OF_LATEST);
    assert!(items.last().unwrap().starts_with("v5000["));
    // A group spans its entries exactly; groups and entries tile the log.
    let doc = Document::new(&long_log(5_000));
    let syms = ide::symbols(&doc);
    for pair in syms[2..].windows(2) {
        assert_eq!(pair[0].range.end, pair[1].range.start);
    }
    assert_eq!(syms.last().map(|s| s.range.end), Some(doc.len()));
}

/// Workspace symbols reach every entry: by version (exact first) or title words.
#[test]
fn entry_symbols_find_any_entry() {
    let doc = Document::new(&long_log(300));
    let names = |q: &str, limit: usize| -> Vec<String> {
        ide::entry_symbols(&doc, q, limit)
            .iter()
            .map(|s| format!("{} {}", s.name.split(" · ").next().unwrap_or(""), s.detail.as_deref().unwrap_or("")))
            .collect()
    };
    assert_eq!(names("v12", 3), ["v12 Step 12", "v129 Step 129", "v128 Step 128"]);
    assert_eq!(names("12", 2), ["v12 Step 12", "v212 Step 212"]);
    assert_eq!(names("step 7", 2), ["v297 Step 297", "v287 Step 287"]);
    assert_eq!(names("", 2), ["v300 Step 300", "v299 Step 299"]);
    assert!(names("nothing", 5).is_empty());
    let s = &ide::entry_symbols(&doc, "v1", 1)[0];
    assert_eq!(s.name, "v1 · 2025-11-13 · Step 1");
    assert_eq!(doc.slice(s.selection.clone()), "## v1 | 2025-11-13 14:00 | Step 1");
}

#[test]
fn selection_ranges_grow_from_the_tree_outwards() {
    let text = format!("{LOG}**Files:**\n- `src/ty$0pes/auth.ts` (types)\n- other\n");
    let (mut doc, at) = (Document::new(&text.replace("$0", "")), text.find("$0").unwrap());
    let i = doc.chunk_index(at);
    doc.ensure_trees(i);
    // Each range: its first 40 characters, newlines shown as ⏎.
    let chain: String = ide::selection(&doc, at)
        .into_iter()
        .map(|r| format!("{}\n", doc.slice(r).chars().take(40).collect::<String>().replace('\n', "⏎")))
        .collect();
    expect![[r#"
        `src/types/auth.ts`
        `src/types/auth.ts` (types)
        `src/types/auth.ts` (types)⏎
        - `src/types/auth.ts` (types)⏎
        - `src/types/auth.ts` (types)⏎- other⏎
        **Files:**⏎- `src/types/auth.ts` (types)
        ## v2 | 2025-11-14 10:00 | Build⏎**Prev:
        ---⏎version: v2⏎status: in_progress⏎---⏎
    "#]]
    .assert_eq(&chain);
}

#[test]
fn folding_covers_frontmatter_entries_fields_and_code() {
    let doc = Document::new(&format!("{LOG}**Decisions:**\n```sql\nselect 1;\n```\n"));
    let folds: String = ide::folding(&doc).into_iter().map(|r| format!("{}\n", doc.slice(r).lines().next().unwrap_or(""))).collect();
    expect![[r#"
        ---
        ## v1 | 2025-11-13 14:00 | Plan
        **Prev:** new
        **Now:** planning
        **Progress:** 0% | plan ✅
        **Next:**
        ## v2 | 2025-11-14 10:00 | Build
        **Prev:** v1 planning
        **Now:** building
        **Progress:** 50%
        **Decisions:**
        ```sql
    "#]]
    .assert_eq(&folds);
}
