// The bundled extension (dist/extension.js) with its real vscode-languageclient,
// in a stand-in VS Code host (test/fake-vscode.js), against the real server:
// activation, document sync for Markdown only, diagnostics, completion and
// definition through the providers the client registers, the settings the
// middleware forwards, and "Work Log: Restart Server".
// Build first (npm run compile); WORKLOG_LS as for server.test.js.
"use strict";

const { describe, test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { createHost, DiagnosticSeverity, CompletionTriggerKind, Position } = require("./fake-vscode");

const ROOT = path.resolve(__dirname, "..");
const REPO = path.resolve(ROOT, "..", "..");
const EXAMPLES = path.join(REPO, "examples");
const BUNDLE = path.join(ROOT, "dist", "extension.js");
const SERVER = process.env.WORKLOG_LS
  ? path.resolve(process.cwd(), process.env.WORKLOG_LS)
  : path.join(REPO, "target", "release", "worklog-ls");
const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };

/** JSON payloads the client traced for `what` (e.g. "Sending request 'initialize"). */
function traced(host, what) {
  const found = [];
  host.output.forEach((line, i) => {
    if (String(line).includes(what)) {
      const data = String(host.output[i + 1] || "");
      const m = /^(Params|Result): ([\s\S]*)$/.exec(data.trim());
      if (m) found.push(JSON.parse(m[2]));
    }
  });
  return found;
}

function positionOf(text, needle) {
  const index = text.indexOf(needle);
  assert.notEqual(index, -1, `"${needle}" not in the document`);
  const before = text.slice(0, index);
  return new Position(before.split("\n").length - 1, index - (before.lastIndexOf("\n") + 1));
}

describe("the extension in a stand-in VS Code, against the real server", () => {
  let host;
  let extension;

  before(async () => {
    assert.ok(fs.existsSync(BUNDLE), `${BUNDLE} missing: run npm run compile`);
    assert.ok(fs.existsSync(SERVER), `server binary not found at ${SERVER} (set WORKLOG_LS)`);
    host = createHost({
      settings: { "worklog.server.path": SERVER, "worklog.trace.server": "verbose" },
      folders: [EXAMPLES],
    });
    extension = host.load(BUNDLE);
    await extension.activate({ subscriptions: [] });
    assert.deepEqual(host.errors, [], "activation showed no error");
  });

  after(async () => {
    if (extension) await extension.deactivate();
  });

  test("the server runs as `worklog-ls --stdio`, the flag passed once", { skip: !fs.existsSync("/proc/self/stat") && "no /proc" }, () => {
    // vscode-languageclient appends --stdio for TransportKind.stdio; the
    // extension must not list it again (clap rejects a repeated flag).
    const children = fs
      .readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .map((pid) => {
        try {
          const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
          const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
          const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
          return { ppid, argv };
        } catch {
          return null;
        }
      })
      .filter((p) => p && p.ppid === process.pid && p.argv[0] === SERVER);
    assert.equal(children.length, 1, JSON.stringify(children));
    assert.deepEqual(children[0].argv, [SERVER, "--stdio"]);
  });

  test("the client sends the capabilities the protocol test announces", () => {
    const [params] = traced(host, "Sending request 'initialize");
    assert.ok(params, "initialize was traced");
    const file = path.join(__dirname, "vscode-capabilities.json");
    if (process.env.WORKLOG_UPDATE_CAPABILITIES) {
      // Regenerate after upgrading vscode-languageclient.
      const comment =
        "ClientCapabilities that VS Code sends through vscode-languageclient " +
        require("vscode-languageclient/package.json").version +
        ", captured by test/host.test.js (WORKLOG_UPDATE_CAPABILITIES=1).";
      fs.writeFileSync(file, JSON.stringify({ _comment: comment, ...params.capabilities }, null, 2) + "\n");
    }
    const expected = JSON.parse(fs.readFileSync(file, "utf8"));
    delete expected._comment;
    assert.deepEqual(params.capabilities, expected);
    assert.deepEqual(params.initializationOptions, {
      requiredSections: ["Prev", "Now", "Progress", "Next"],
      severities: {},
      globs: [],
      references: "latest",
      maxFileSize: 16777216,
    });
  });

  test("workspace/configuration for \"worklog\" is answered with the server's keys only", async () => {
    await host.waitFor(() => traced(host, "Sending response 'workspace/configuration").length > 0, "a configuration answer");
    const [answer] = traced(host, "Sending response 'workspace/configuration");
    assert.deepEqual(answer, [
      {
        requiredSections: ["Prev", "Now", "Progress", "Next"],
        severities: {},
        globs: [],
        references: "latest",
        maxFileSize: 16777216,
      },
    ]);
  });

  test("Auth-WorkLog-v4.md: synced, and no diagnostics", async () => {
    const doc = host.open(path.join(EXAMPLES, "Auth-WorkLog-v4.md"));
    await host.waitFor(() => host.diagnostics.has(doc.uri.toString()), "diagnostics for Auth-WorkLog-v4.md");
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(host.diagnostics.get(doc.uri.toString()), []);
  });

  test("only Markdown documents are sent to the server", async () => {
    const before = host.output.filter((l) => String(l).includes("textDocument/didOpen")).length;
    host.open(path.join(EXAMPLES, "src", "routes", "auth.ts"), undefined, "typescript");
    host.open(path.join(EXAMPLES, "notes.md"), "# Notes\n", "markdown");
    await host.waitFor(
      () => host.output.filter((l) => String(l).includes("textDocument/didOpen")).length > before,
      "the didOpen of notes.md",
    );
    const opened = traced(host, "Sending notification 'textDocument/didOpen").map((p) => path.basename(p.textDocument.uri));
    assert.ok(opened.includes("notes.md"), JSON.stringify(opened));
    assert.ok(!opened.includes("auth.ts"), `a TypeScript file was synced: ${JSON.stringify(opened)}`);
  });

  test("a broken log: bad-priority reaches the diagnostics collection as an error", async () => {
    const text = [
      "---",
      "version: v1",
      "status: in_progress",
      "---",
      "",
      "# Host Work Log",
      "",
      "## v1 | 2025-11-14 09:00 | Start",
      "",
      "**Prev:** Starting new work",
      "**Now:** Testing the extension",
      "**Progress:** 5% | Started",
      "**Next:**",
      "- [high] Fix the tag",
      "",
    ].join("\n");
    const doc = host.open(path.join(EXAMPLES, "Host-WorkLog-v1.md"), text);
    const diags = await host.waitFor(
      () => (host.diagnostics.get(doc.uri.toString()) || []).some((d) => d.code === "bad-priority") && host.diagnostics.get(doc.uri.toString()),
      () => `bad-priority; have ${JSON.stringify(host.diagnostics.get(doc.uri.toString()))}`,
    );
    const bad = diags.find((d) => d.code === "bad-priority");
    assert.equal(bad.source, "worklog");
    assert.equal(bad.severity, DiagnosticSeverity.Error);
    const at = positionOf(text, "[high]");
    assert.deepEqual([bad.range.start.line, bad.range.start.character, bad.range.end.character], [at.line, at.character, at.character + 6]);
  });

  test("the completion provider is registered with the contract's trigger characters", () => {
    const [entry] = host.providersFor("completion", { languageId: "markdown", uri: { scheme: "file" } });
    assert.ok(entry, "a completion provider is registered for Markdown");
    const missing = ["`", "/", "[", "(", ":", ".", "-"].filter((ch) => !entry.extra.includes(ch));
    assert.deepEqual(missing, [], `trigger characters registered: ${JSON.stringify(entry.extra)}`);
  });

  test("completion through the registered provider offers src/routes/auth.ts", async () => {
    const text = "---\nversion: v1\nstatus: in_progress\n---\n\n# C\n\n## v1 | 2025-11-14 09:00 | C\n\n**Files:**\n- `src/rou\n";
    const doc = host.open(path.join(EXAMPLES, "Host-Completion-WorkLog-v1.md"), text);
    const [entry] = host.providersFor("completion", doc);
    assert.ok(entry, "a completion provider is registered for Markdown");
    const start = positionOf(text, "`src/rou");
    const position = new Position(start.line, start.character + "`src/rou".length);
    const result = await entry.provider.provideCompletionItems(doc, position, token, {
      triggerKind: CompletionTriggerKind.Invoke,
    });
    const items = Array.isArray(result) ? result : result.items;
    const labels = items.map((i) => (typeof i.label === "string" ? i.label : i.label.label));
    const hit = items.find((i) =>
      [typeof i.label === "string" ? i.label : i.label.label, typeof i.insertText === "string" ? i.insertText : i.insertText && i.insertText.value]
        .filter(Boolean)
        .some((t) => t.includes("src/routes/auth.ts")),
    );
    assert.ok(hit, `no src/routes/auth.ts among ${JSON.stringify(labels)}`);
  });

  test('"Work Log: Hand-off Copy": the copy of the v2 log on the clipboard and open as untitled Markdown', async () => {
    const doc = host.open(path.join(EXAMPLES, "Auth-WorkLog-v2.md"));
    await host.waitFor(() => host.diagnostics.has(doc.uri.toString()), "diagnostics for Auth-WorkLog-v2.md");
    assert.ok(host.commands.has("worklog.handoffCopy"), "the command is registered");
    await host.commands.get("worklog.handoffCopy")(doc.uri);
    const text = host.clipboard;
    assert.equal(typeof text, "string", "the copy is on the clipboard");
    // The v1 entry collapses into one elision line; v2 stays in full.
    assert.match(text, /^---\nversion: v2\n/);
    assert.match(text, /\n\[\.\.\. v1 entry \.\.\.\]\n/);
    assert.ok(!text.includes("## v1 |"), "v1 is collapsed");
    assert.match(text, /\n## v2 \| 2025-11-13 15:30 \| Core Implementation Complete\n/);
    const opened = host.untitled.at(-1);
    assert.equal(opened.getText(), text, "the same text is opened");
    assert.equal(opened.languageId, "markdown");
    assert.ok(host.shown.includes(opened), "and shown");
    assert.ok(host.infos.some((i) => /hand-off copy \(\d+ tokens, o200k_base estimate\)/.test(i.message)), JSON.stringify(host.infos));
    // The server's own command (as a code lens or another extension runs it) is handled the same way.
    host.clipboard = undefined;
    await host.vscode.commands.executeCommand("worklog.handoff", doc.uri.toString(), 2);
    assert.equal(host.clipboard, fs.readFileSync(path.join(EXAMPLES, "Auth-WorkLog-v2.md"), "utf8"), "keep 2: the whole log");
  });

  test("definition through the registered provider lands on service.ts lines 84-120", async () => {
    const file = path.join(EXAMPLES, "Auth-WorkLog-v2.md");
    const doc = host.open(file);
    const [entry] = host.providersFor("definition", doc);
    assert.ok(entry, "a definition provider is registered for Markdown");
    const at = positionOf(fs.readFileSync(file, "utf8"), "src/auth/service.ts:84-120");
    const result = await entry.provider.provideDefinition(doc, new Position(at.line, at.character + 4), token);
    const targets = Array.isArray(result) ? result : [result];
    assert.equal(targets.length, 1, JSON.stringify(targets));
    const t = targets[0];
    const uri = t.targetUri || t.uri;
    const range = t.targetRange || t.range;
    assert.equal(uri.fsPath, path.join(EXAMPLES, "src", "auth", "service.ts"));
    assert.equal(range.start.line, 83);
    assert.ok(range.end.line === 119 || (range.end.line === 120 && range.end.character === 0), JSON.stringify(range.end));
  });

  test("changing worklog.severities in the settings reaches the server", async () => {
    const uri = require("node:url").pathToFileURL(path.join(EXAMPLES, "Host-WorkLog-v1.md")).href;
    const change = (key, value) => {
      host.settings[key] = value;
      host.events.config.fire({ affectsConfiguration: (section) => key === section || key.startsWith(section + ".") });
    };
    try {
      change("worklog.severities", { "bad-priority": "off" });
      await host.waitFor(
        () => host.diagnostics.has(uri) && !host.diagnostics.get(uri).some((d) => d.code === "bad-priority"),
        "bad-priority turned off",
      );
    } finally {
      change("worklog.severities", {});
    }
    await host.waitFor(
      () => (host.diagnostics.get(uri) || []).some((d) => d.code === "bad-priority"),
      "bad-priority back",
    );
  });

  test('"Work Log: Restart Server" restarts, and the new server re-publishes', async () => {
    const starts = () => host.output.filter((l) => String(l).startsWith("Starting ")).length;
    const before = starts();
    const uri = path.join(EXAMPLES, "Host-WorkLog-v1.md");
    host.diagnostics.clear();
    await host.vscode.commands.executeCommand("worklog.restartServer");
    assert.equal(starts(), before + 1);
    await host.waitFor(
      () => (host.diagnostics.get(require("node:url").pathToFileURL(uri).href) || []).some((d) => d.code === "bad-priority"),
      "diagnostics after the restart",
    );
    assert.deepEqual(host.errors, []);
  });
});
