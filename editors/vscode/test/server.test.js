// End-to-end protocol test: drives the real worklog-ls binary over stdio with
// vscode-languageserver-protocol (the library vscode-languageclient is built
// on), announcing the client capabilities VS Code sends, and answering
// `workspace/configuration` the way the extension does.
//
//   WORKLOG_LS=/path/to/worklog-ls node --test test/*.test.js
//
// The binary defaults to <repo>/target/release/worklog-ls.
"use strict";

const { describe, test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const cp = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { pathToFileURL, fileURLToPath } = require("node:url");
const { StreamMessageReader, StreamMessageWriter } = require("vscode-jsonrpc/node");
const {
  createProtocolConnection,
  InitializeRequest,
  InitializedNotification,
  ShutdownRequest,
  ExitNotification,
  DidOpenTextDocumentNotification,
  DidChangeConfigurationNotification,
  PublishDiagnosticsNotification,
  CompletionRequest,
  DefinitionRequest,
  HoverRequest,
  DocumentSymbolRequest,
  DocumentLinkRequest,
  CodeActionRequest,
  ConfigurationRequest,
  RegistrationRequest,
  UnregistrationRequest,
  WorkDoneProgressCreateRequest,
  ShowMessageNotification,
  LogMessageNotification,
} = require("vscode-languageserver-protocol/node");

const REPO = path.resolve(__dirname, "..", "..", "..");
const EXAMPLES = path.join(REPO, "examples");
const SERVER = process.env.WORKLOG_LS
  ? path.resolve(process.cwd(), process.env.WORKLOG_LS)
  : path.join(REPO, "target", "release", "worklog-ls");
const CAPABILITIES = (() => {
  const caps = JSON.parse(fs.readFileSync(path.join(__dirname, "vscode-capabilities.json"), "utf8"));
  delete caps._comment;
  return caps;
})();
const TIMEOUT = Number(process.env.WORKLOG_TEST_TIMEOUT_MS || 10000);

/** The codes of spec §4: every diagnostic must carry one of them. */
const CODES = new Set([
  "missing-frontmatter", "missing-version", "missing-status", "invalid-version", "invalid-status",
  "version-mismatch", "missing-title", "malformed-entry", "duplicate-version", "version-order",
  "date-order", "missing-section", "duplicate-section", "unknown-section", "bad-progress",
  "bad-priority", "missing-priority", "file-not-found", "range-out-of-bounds", "bad-range",
  "outside-workspace", "mojibake",
]);

/** What the extension forwards by default (package.json defaults). */
const DEFAULT_SETTINGS = {
  requiredSections: ["Prev", "Now", "Progress", "Next"],
  severities: {},
  globs: [],
  references: "latest",
  maxFileSize: 16777216,
};

const uriOf = (file) => pathToFileURL(file).href;

/** One server process and the client side of the protocol, as VS Code would run it. */
class Session {
  constructor({ initializationOptions = DEFAULT_SETTINGS, settings = DEFAULT_SETTINGS } = {}) {
    this.initializationOptions = initializationOptions;
    this.settings = settings;
    this.diagnostics = new Map(); // uri -> latest diagnostics array
    this.publishCount = new Map(); // uri -> number of publishes seen
    this.messages = []; // { kind: "show" | "log", type, message }
    this.configRequests = [];
    this.registrations = [];
    this.stderr = "";
    this.waiters = new Set();
    this.versions = new Map();
  }

  async start() {
    assert.ok(
      fs.existsSync(SERVER),
      `server binary not found at ${SERVER} (build it with cargo build --release, or set WORKLOG_LS)`,
    );
    this.proc = cp.spawn(SERVER, ["--stdio"], { cwd: EXAMPLES, stdio: ["pipe", "pipe", "pipe"] });
    this.exited = new Promise((resolve) => this.proc.on("exit", (code, signal) => resolve({ code, signal })));
    this.proc.stderr.on("data", (chunk) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-8000);
    });
    this.proc.on("error", (err) => {
      this.stderr += `\n[spawn error] ${err.message}`;
    });
    const conn = createProtocolConnection(
      new StreamMessageReader(this.proc.stdout),
      new StreamMessageWriter(this.proc.stdin),
    );
    this.conn = conn;
    conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.diagnostics.set(p.uri, p.diagnostics);
      this.publishCount.set(p.uri, (this.publishCount.get(p.uri) || 0) + 1);
      this.notify();
    });
    conn.onNotification(ShowMessageNotification.type, (p) => {
      this.messages.push({ kind: "show", ...p });
      this.notify();
    });
    conn.onNotification(LogMessageNotification.type, (p) => {
      this.messages.push({ kind: "log", ...p });
      this.notify();
    });
    conn.onRequest(ConfigurationRequest.type, (params) => {
      this.configRequests.push(params);
      this.notify();
      return params.items.map((item) =>
        item.section === "worklog" ? this.settings : item.section ? null : { worklog: this.settings },
      );
    });
    conn.onRequest(RegistrationRequest.type, (params) => {
      this.registrations.push(...params.registrations);
      return null;
    });
    conn.onRequest(UnregistrationRequest.type, () => null);
    conn.onRequest(WorkDoneProgressCreateRequest.type, () => null);
    conn.onRequest("workspace/workspaceFolders", () => [{ uri: uriOf(EXAMPLES), name: "examples" }]);
    conn.onRequest("window/showMessageRequest", () => null);
    conn.onRequest("window/showDocument", () => ({ success: false }));
    conn.onRequest((method) => {
      // workspace/*/refresh and the like: acknowledge.
      if (method.endsWith("/refresh")) return null;
      throw new Error(`unexpected request from server: ${method}`);
    });
    conn.onNotification(() => {});
    conn.onError(([err]) => {
      this.stderr += `\n[connection error] ${err && err.message}`;
    });
    conn.listen();

    this.init = await withTimeout(
      conn.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        clientInfo: { name: "Visual Studio Code", version: "1.82.0" },
        locale: "en",
        rootPath: EXAMPLES,
        rootUri: uriOf(EXAMPLES),
        capabilities: CAPABILITIES,
        initializationOptions: this.initializationOptions,
        trace: "off",
        workspaceFolders: [{ uri: uriOf(EXAMPLES), name: "examples" }],
      }),
      TIMEOUT,
      () => `initialize got no answer.${this.stderrTail()}`,
    );
    await conn.sendNotification(InitializedNotification.type, {});
    return this.init;
  }

  stderrTail() {
    const tail = this.stderr.trim().split("\n").slice(-15).join("\n");
    return tail ? `\nserver stderr (tail):\n${tail}` : "";
  }

  notify() {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves with check()'s value once it is truthy; rejects after `ms`. */
  waitFor(check, what, ms = TIMEOUT) {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        let value;
        try {
          value = check();
        } catch (err) {
          cleanup();
          reject(err);
          return;
        }
        if (value) {
          cleanup();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${ms} ms waiting for ${typeof what === "function" ? what() : what}${this.stderrTail()}`));
      }, ms);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(attempt);
      };
      this.waiters.add(attempt);
      attempt();
    });
  }

  async open(file, text) {
    const uri = uriOf(file);
    const content = text ?? fs.readFileSync(file, "utf8");
    const version = (this.versions.get(uri) || 0) + 1;
    this.versions.set(uri, version);
    await this.conn.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: "markdown", version, text: content },
    });
    return { uri, text: content, lines: content.split("\n") };
  }

  /** Latest diagnostics of a document once `accept` holds for them. */
  diagnosticsFor(uri, accept = () => true, what = "diagnostics") {
    return this.waitFor(
      () => this.diagnostics.has(uri) && accept(this.diagnostics.get(uri)) && this.diagnostics.get(uri),
      () => `${what} for ${path.basename(fileURLToPath(uri))}; last published: ${JSON.stringify(this.diagnostics.get(uri) ?? "nothing")}`,
    );
  }

  request(type, params) {
    return withTimeout(this.conn.sendRequest(type, params), TIMEOUT, () => `${type.method} got no answer.${this.stderrTail()}`);
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    try {
      await withTimeout(this.conn.sendRequest(ShutdownRequest.type), 3000, () => "shutdown");
      await this.conn.sendNotification(ExitNotification.type);
      await withTimeout(this.exited, 3000, () => "exit");
    } catch {
      this.proc.kill("SIGKILL");
    } finally {
      this.conn.dispose();
    }
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what()}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Position (0-based line, UTF-16 column) of the `nth` occurrence of `needle`. */
function positionOf(text, needle, nth = 0) {
  let index = -1;
  for (let i = 0; i <= nth; i++) {
    index = text.indexOf(needle, index + 1);
    assert.notEqual(index, -1, `"${needle}" not found in the document`);
  }
  const before = text.slice(0, index);
  const line = before.split("\n").length - 1;
  const character = index - (before.lastIndexOf("\n") + 1); // JS strings index UTF-16 code units
  return { line, character };
}

function checkDiagnosticShape(diags) {
  for (const d of diags) {
    assert.equal(d.source, "worklog", `diagnostic without source "worklog": ${JSON.stringify(d)}`);
    assert.ok(CODES.has(d.code), `diagnostic code ${JSON.stringify(d.code)} is not a spec §4 code: ${JSON.stringify(d)}`);
    assert.ok([1, 2, 3, 4].includes(d.severity), `diagnostic without a severity: ${JSON.stringify(d)}`);
  }
}

function applyEdit(lineText, range, newText) {
  return lineText.slice(0, range.start.character) + newText + lineText.slice(range.end.character);
}

const BROKEN_FILE = path.join(EXAMPLES, "Broken-WorkLog-v2.md"); // opened from memory, never written
const BROKEN_TEXT = [
  "---",
  "version: v2",
  "status: in_progress",
  "---",
  "",
  "# Broken Work Log",
  "",
  "## v1 | 2025-11-13 14:00 | Start",
  "[... previous entry ...]",
  "",
  "## v2 | 2025-11-13 15:30 | Second pass",
  "",
  "**Prev:** v1 started the work",
  "**Now:** checking what the editor shows",
  "**Progress:** 50% | Halfway 🔄",
  "**Files:**",
  "- 🔄 `src/missing.ts` (still in review)",
  "**Next:**",
  "- [high] Fix the priority tag",
  "- [MED] Keep this one",
  "",
].join("\n");

const COMPLETION_FILE = path.join(EXAMPLES, "Completion-WorkLog-v1.md"); // opened from memory, never written
const COMPLETION_TEXT = [
  "---",
  "version: v1",
  "status: in_progress",
  "---",
  "",
  "# Completion Work Log",
  "",
  "## v1 | 2025-11-14 09:00 | Routes",
  "",
  "**Prev:** Starting new work",
  "**Now:** Completing a path",
  "**Progress:** 10% | Started",
  "**Files:**",
  "- `src/rou",
  "**Next:**",
  "- [HIGH] Finish the routes",
  "",
].join("\n");

describe("worklog-ls with VS Code's client capabilities", () => {
  /** @type {Session} */
  let s;

  before(async () => {
    s = new Session();
    await s.start();
  });

  after(async () => {
    if (s) await s.stop();
  });

  test("initialize advertises the contract's capabilities", () => {
    const caps = s.init.capabilities;
    assert.ok(caps.textDocumentSync, "textDocumentSync");
    const sync = caps.textDocumentSync;
    if (typeof sync === "object") {
      assert.equal(sync.openClose, true, "textDocumentSync.openClose");
      assert.ok([1, 2].includes(sync.change), "textDocumentSync.change is full or incremental");
    }
    assert.ok(caps.completionProvider, "completionProvider");
    const triggers = caps.completionProvider.triggerCharacters || [];
    const missing = ["`", "/", "[", "(", ":", ".", "-"].filter((ch) => !triggers.includes(ch));
    assert.deepEqual(missing, [], `completion trigger characters missing from ${JSON.stringify(triggers)}`);
    assert.ok(caps.definitionProvider, "definitionProvider");
    assert.ok(caps.hoverProvider, "hoverProvider");
    assert.ok(caps.documentLinkProvider, "documentLinkProvider");
    assert.ok(caps.documentSymbolProvider, "documentSymbolProvider");
    assert.ok(caps.codeActionProvider, "codeActionProvider");
    // VS Code only offers UTF-16: the server must not pick anything else.
    assert.ok(
      caps.positionEncoding === undefined || caps.positionEncoding === "utf-16",
      `positionEncoding ${caps.positionEncoding}`,
    );
  });

  test('the server reads the "worklog" section through workspace/configuration', async () => {
    await s.waitFor(
      () => s.configRequests.some((p) => p.items.some((i) => i.section === "worklog")),
      'a workspace/configuration request for section "worklog"',
    );
  });

  for (const n of [1, 2, 3, 4]) {
    test(`examples/Auth-WorkLog-v${n}.md has no diagnostics`, async () => {
      const { uri } = await s.open(path.join(EXAMPLES, `Auth-WorkLog-v${n}.md`));
      await s.diagnosticsFor(uri, () => true, "a publishDiagnostics");
      await sleep(300); // a republish (workspace index ready) would arrive now
      const diags = s.diagnostics.get(uri);
      assert.deepEqual(
        diags.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message}`),
        [],
      );
    });
  }

  test("a broken log gets bad-priority on the [high] tag, placed in UTF-16 columns", async () => {
    const doc = await s.open(BROKEN_FILE, BROKEN_TEXT);
    const diags = await s.diagnosticsFor(
      doc.uri,
      (ds) => ds.some((d) => d.code === "bad-priority") && ds.some((d) => d.code === "file-not-found"),
      "bad-priority and file-not-found",
    );
    checkDiagnosticShape(diags);

    const tag = positionOf(doc.text, "[high]");
    const bad = diags.filter((d) => d.code === "bad-priority");
    assert.equal(bad.length, 1, JSON.stringify(bad));
    assert.equal(bad[0].severity, 1, "bad-priority is an error");
    assert.deepEqual(bad[0].range, {
      start: tag,
      end: { line: tag.line, character: tag.character + "[high]".length },
    });

    // The path stands after "🔄" (two UTF-16 code units, four UTF-8 bytes).
    const ref = positionOf(doc.text, "src/missing.ts");
    assert.equal(ref.character, 6);
    const missing = diags.filter((d) => d.code === "file-not-found");
    assert.equal(missing.length, 1, JSON.stringify(missing));
    assert.equal(missing[0].severity, 2, "file-not-found is a warning");
    assert.deepEqual(missing[0].range, {
      start: ref,
      end: { line: ref.line, character: ref.character + "src/missing.ts".length },
    });

    const others = diags.filter((d) => d.code !== "bad-priority" && d.code !== "file-not-found");
    assert.deepEqual(others, [], "no other diagnostics on the broken log");
  });

  test("a code action on the diagnostic fixes the tag", async () => {
    const uri = uriOf(BROKEN_FILE);
    const bad = s.diagnostics.get(uri).find((d) => d.code === "bad-priority");
    const actions = await s.request(CodeActionRequest.type, {
      textDocument: { uri },
      range: bad.range,
      context: { diagnostics: [bad], triggerKind: 1 },
    });
    assert.ok(Array.isArray(actions) && actions.length > 0, JSON.stringify(actions));
    const preferred = actions.find((a) => a.isPreferred) || actions[0];
    assert.equal(preferred.kind, "quickfix");
    const edits = (preferred.edit.changes && preferred.edit.changes[uri]) ||
      (preferred.edit.documentChanges || []).flatMap((c) => c.edits || []);
    assert.equal(edits.length, 1, JSON.stringify(preferred));
    assert.deepEqual(edits[0].range, bad.range);
    assert.match(edits[0].newText, /^\[(HIGH|MED|LOW)\]$/);
  });

  test("path completion: `src/rou offers src/routes/auth.ts", async () => {
    const doc = await s.open(COMPLETION_FILE, COMPLETION_TEXT);
    const start = positionOf(doc.text, "`src/rou");
    const position = { line: start.line, character: start.character + "`src/rou".length };
    const result = await s.request(CompletionRequest.type, {
      textDocument: { uri: doc.uri },
      position,
      context: { triggerKind: 1 },
    });
    assert.ok(result, "completion returned nothing");
    const items = Array.isArray(result) ? result : result.items;
    const defaults = Array.isArray(result) ? undefined : result.itemDefaults;
    const item = items.find((i) =>
      [i.label, i.insertText, i.textEdit && i.textEdit.newText, i.textEdit && i.textEdit.text]
        .filter(Boolean)
        .some((t) => t.includes("src/routes/auth.ts")),
    );
    assert.ok(item, `no completion for src/routes/auth.ts among ${JSON.stringify(items.map((i) => i.label))}`);

    // Apply the edit as VS Code would and look at the resulting line.
    const lineText = doc.lines[position.line];
    const edit = item.textEdit;
    const editRange = edit ? edit.range || edit.replace : defaults && defaults.editRange && (defaults.editRange.replace || defaults.editRange);
    if (editRange) {
      assert.equal(editRange.start.line, position.line, "edit on the cursor line");
      const newText = edit ? edit.newText : item.insertText || item.label;
      const after = applyEdit(lineText, editRange, newText);
      assert.match(after, /^- `src\/routes\/auth\.ts/, `line after accepting the completion: ${after}`);
    }
  });

  test("path completion survives further typing (VS Code filters the list locally)", async () => {
    // VS Code keeps a complete list (isIncomplete false) and, as the user types
    // on, filters it by matching the word in the item's range against
    // filterText (or the label). An item whose filterText is only what was
    // typed when the list came ("src/rou") disappears at the next keystroke.
    const uri = uriOf(COMPLETION_FILE);
    const start = positionOf(COMPLETION_TEXT, "`src/rou");
    const position = { line: start.line, character: start.character + "`src/rou".length };
    const result = await s.request(CompletionRequest.type, { textDocument: { uri }, position, context: { triggerKind: 1 } });
    const list = Array.isArray(result) ? { isIncomplete: false, items: result } : result;
    if (list.isIncomplete) return; // the client asks again on every keystroke
    const item = list.items.find((i) => i.label.includes("src/routes/auth.ts"));
    assert.ok(item, JSON.stringify(list.items.map((i) => i.label)));
    const subsequence = (word, text) => {
      let k = 0;
      for (const ch of text.toLowerCase()) if (k < word.length && ch === word[k].toLowerCase()) k++;
      return k === word.length;
    };
    for (const typed of ["src/rout", "src/routes/a"]) {
      assert.ok(
        subsequence(typed, item.filterText ?? item.label),
        `after typing on to "${typed}" VS Code would hide the item: filterText ${JSON.stringify(item.filterText)}, isIncomplete false`,
      );
    }
  });

  test("go to definition: src/auth/service.ts:84-120 lands on lines 84-120 of service.ts", async () => {
    const doc = await s.open(path.join(EXAMPLES, "Auth-WorkLog-v2.md"));
    const ref = positionOf(doc.text, "src/auth/service.ts:84-120");
    const position = { line: ref.line, character: ref.character + 4 };
    const result = await s.request(DefinitionRequest.type, { textDocument: { uri: doc.uri }, position });
    assert.ok(result, "definition returned nothing");
    const targets = Array.isArray(result) ? result : [result];
    assert.equal(targets.length, 1, JSON.stringify(targets));
    const t = targets[0];
    const link = "targetUri" in t;
    assert.ok(link, "VS Code announced linkSupport: expected a LocationLink");
    const targetUri = link ? t.targetUri : t.uri;
    const range = link ? t.targetRange : t.range;
    assert.equal(fileURLToPath(targetUri), path.join(EXAMPLES, "src", "auth", "service.ts"));
    assert.equal(range.start.line, 83, "starts on line 84 (0-based 83)");
    assert.equal(range.start.character, 0);
    assert.ok(
      range.end.line === 119 || (range.end.line === 120 && range.end.character === 0),
      `ends on line 120: ${JSON.stringify(range.end)}`,
    );
    if (link) {
      const sel = t.targetSelectionRange;
      assert.ok(sel.start.line >= 83 && sel.end.line <= 120, `targetSelectionRange inside targetRange: ${JSON.stringify(sel)}`);
      if (t.originSelectionRange) {
        assert.equal(t.originSelectionRange.start.line, ref.line);
        assert.ok(
          t.originSelectionRange.start.character <= position.character &&
            t.originSelectionRange.end.character > position.character,
          `originSelectionRange covers the cursor: ${JSON.stringify(t.originSelectionRange)}`,
        );
      }
    }
  });

  test("hover on the reference answers", async () => {
    const uri = uriOf(path.join(EXAMPLES, "Auth-WorkLog-v2.md"));
    const text = fs.readFileSync(fileURLToPath(uri), "utf8");
    const ref = positionOf(text, "src/auth/service.ts:84-120");
    const hover = await s.request(HoverRequest.type, {
      textDocument: { uri },
      position: { line: ref.line, character: ref.character + 4 },
    });
    assert.ok(hover && hover.contents, "hover returned nothing");
    assert.ok(JSON.stringify(hover.contents).length > 2, JSON.stringify(hover));
  });

  test("document symbols and links answer on a real log", async () => {
    const uri = uriOf(path.join(EXAMPLES, "Auth-WorkLog-v4.md"));
    const symbols = await s.request(DocumentSymbolRequest.type, { textDocument: { uri } });
    assert.ok(Array.isArray(symbols) && symbols.length > 0, `documentSymbol: ${JSON.stringify(symbols)}`);
    const links = await s.request(DocumentLinkRequest.type, { textDocument: { uri } });
    assert.ok(Array.isArray(links) && links.length > 0, `documentLink: ${JSON.stringify(links)}`);
  });

  test("an ordinary Markdown file gets no diagnostics, but path completion works there", async () => {
    const text = "# Notes\n\nSee `src/rou\n";
    const doc = await s.open(path.join(EXAMPLES, "notes.md"), text);
    const position = { line: 2, character: "See `src/rou".length };
    const result = await s.request(CompletionRequest.type, { textDocument: { uri: doc.uri }, position, context: { triggerKind: 1 } });
    const items = result ? (Array.isArray(result) ? result : result.items) : [];
    assert.ok(
      items.some((i) => [i.label, i.insertText, i.textEdit && i.textEdit.newText].some((t) => t && t.includes("src/routes/auth.ts"))),
      `completion in a README-like file: ${JSON.stringify(items.map((i) => i.label))}`,
    );
    await sleep(300);
    assert.deepEqual(s.diagnostics.get(doc.uri) || [], [], "no Work Log diagnostics on ordinary Markdown");
  });

  test("settings: requiredSections, globs and references take effect", async () => {
    const push = async (settings) => {
      s.settings = settings;
      await s.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: { worklog: settings } });
    };
    const v3 = uriOf(path.join(EXAMPLES, "Auth-WorkLog-v3.md"));
    const v4 = uriOf(path.join(EXAMPLES, "Auth-WorkLog-v4.md"));
    const handoff = await s.open(path.join(EXAMPLES, "HANDOFF.md"), "# Hand-off\n\nNotes for the next session.\n");
    const history = await s.open(
      path.join(EXAMPLES, "History-WorkLog-v2.md"),
      [
        "---",
        "version: v2",
        "status: in_progress",
        "---",
        "",
        "# History Work Log",
        "",
        "## v1 | 2025-11-13 14:00 | Old",
        "",
        "**Prev:** Starting new work",
        "**Now:** Old ranges",
        "**Progress:** 10% | Started",
        "**Work:**",
        "+: src/auth/service.ts:1-400 (the file was longer then)",
        "**Next:**",
        "- [HIGH] Shrink it",
        "",
        "## v2 | 2025-11-13 15:00 | New",
        "",
        "**Prev:** v1",
        "**Now:** Current",
        "**Progress:** 20% | Going",
        "**Next:**",
        "- [HIGH] Go on",
        "",
      ].join("\n"),
    );
    await sleep(300);
    assert.deepEqual(s.diagnostics.get(handoff.uri) || [], [], "HANDOFF.md is not a Work Log by default");
    assert.deepEqual(
      (s.diagnostics.get(history.uri) || []).map((d) => d.code),
      [],
      "old entries are not checked against the disk by default",
    );
    try {
      await push({
        ...DEFAULT_SETTINGS,
        requiredSections: ["Prev", "Now", "Progress", "Next", "Files"],
        globs: ["HANDOFF.md"],
        references: "all",
      });
      await s.diagnosticsFor(v3, (ds) => ds.some((d) => d.code === "missing-section"), "missing-section (Files) on v3");
      await s.diagnosticsFor(handoff.uri, (ds) => ds.some((d) => d.code === "missing-frontmatter"), "HANDOFF.md treated as a Work Log");
      await s.diagnosticsFor(history.uri, (ds) => ds.some((d) => d.code === "range-out-of-bounds"), "range-out-of-bounds in the old entry");
    } finally {
      await push(DEFAULT_SETTINGS);
    }
    await s.diagnosticsFor(v3, (ds) => ds.length === 0, "v3 clean again");
    await s.diagnosticsFor(handoff.uri, (ds) => ds.length === 0, "HANDOFF.md ordinary again");
    await s.diagnosticsFor(history.uri, (ds) => ds.length === 0, "the old entry unchecked again");
  });

  test("settings: a new maxFileSize applies to open documents", async () => {
    const push = async (settings) => {
      s.settings = settings;
      await s.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: { worklog: settings } });
    };
    const v4 = uriOf(path.join(EXAMPLES, "Auth-WorkLog-v4.md"));
    try {
      await push({ ...DEFAULT_SETTINGS, maxFileSize: 100 });
      const big = await s.diagnosticsFor(
        v4,
        (ds) => ds.length === 1 && ds[0].severity === 3,
        "one information diagnostic on a log over maxFileSize",
      );
      assert.equal(big[0].range.start.line, 0);
    } finally {
      await push(DEFAULT_SETTINGS);
    }
    await s.diagnosticsFor(v4, (ds) => ds.length === 0, "v4 analysed again (no diagnostics) under the default cap");
  });

  test("settings: worklog.severities changes are applied after didChangeConfiguration", async () => {
    const uri = uriOf(BROKEN_FILE);
    const push = async (settings) => {
      s.settings = settings;
      await s.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: { worklog: settings } });
    };
    try {
      await push({ ...DEFAULT_SETTINGS, severities: { "bad-priority": "warning" } });
      await s.diagnosticsFor(
        uri,
        (ds) => ds.some((d) => d.code === "bad-priority" && d.severity === 2),
        "bad-priority downgraded to a warning",
      );
      await push({ ...DEFAULT_SETTINGS, severities: { "bad-priority": "off" } });
      await s.diagnosticsFor(
        uri,
        (ds) => !ds.some((d) => d.code === "bad-priority") && ds.some((d) => d.code === "file-not-found"),
        "bad-priority turned off",
      );
    } finally {
      await push(DEFAULT_SETTINGS);
    }
    await s.diagnosticsFor(uri, (ds) => ds.some((d) => d.code === "bad-priority" && d.severity === 1), "bad-priority back");
  });
});

describe("settings the server does not know", () => {
  let s;
  after(async () => {
    if (s) await s.stop();
  });

  test("an unknown key is reported as a warning message, and the server keeps working", async () => {
    const settings = { ...DEFAULT_SETTINGS, bogusKey: true };
    s = new Session({ initializationOptions: settings, settings });
    await s.start();
    const warning = await s.waitFor(
      () => s.messages.find((m) => m.message.includes("bogusKey")),
      "a window/showMessage or window/logMessage naming bogusKey",
    );
    assert.equal(warning.type, 2, `reported as a warning (type 2): ${JSON.stringify(warning)}`);
    const { uri } = await s.open(path.join(EXAMPLES, "Auth-WorkLog-v4.md"));
    const diags = await s.diagnosticsFor(uri, () => true, "a publishDiagnostics");
    assert.deepEqual(diags, []);
  });

  test("shutdown and exit end the process with status 0", async () => {
    const result = await s.request(ShutdownRequest.type, undefined);
    assert.equal(result, null);
    await s.conn.sendNotification(ExitNotification.type);
    const { code } = await withTimeout(s.exited, 5000, () => "the server process to exit");
    assert.equal(code, 0);
  });
});
