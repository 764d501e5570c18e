// Unit test of the bundled extension (dist/extension.js) and its manifest,
// with a stand-in for the `vscode` module (VS Code itself cannot run here).
// Build first: npm run compile.
"use strict";

const { describe, test, before, beforeEach } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const Module = require("node:module");

const ROOT = path.resolve(__dirname, "..");
const BUNDLE = path.join(ROOT, "dist", "extension.js");
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

/** Any property, call or `new` yields another stand-in, so module-load-time use works. */
function anything(name) {
  const f = function () {};
  return new Proxy(f, {
    get(target, prop) {
      if (prop === "then") return undefined; // not a thenable
      if (prop === Symbol.toPrimitive) return () => name;
      if (!(prop in target)) target[prop] = anything(`${name}.${String(prop)}`);
      return target[prop];
    },
  });
}

/** The parts of the vscode API the extension itself uses, recording what it does. */
function makeVscode(state) {
  const disposable = { dispose() {} };
  const api = {
    window: {
      createOutputChannel: (name) => ({
        name,
        appendLine: (line) => state.output.push(line),
        append: (text) => state.output.push(text),
        show: () => {},
        clear: () => {},
        dispose: () => {},
      }),
      showErrorMessage: (message, ...items) => {
        state.errors.push({ message, items });
        return Promise.resolve(undefined);
      },
      showInformationMessage: (message) => {
        state.infos.push(message);
        return Promise.resolve(undefined);
      },
      showTextDocument: (doc) => {
        state.shown.push(doc);
        return Promise.resolve({ document: doc });
      },
      showWarningMessage: () => Promise.resolve(undefined),
    },
    commands: {
      registerCommand: (id) => {
        state.commands.push(id);
        return disposable;
      },
      executeCommand: () => Promise.resolve(),
    },
    workspace: {
      getConfiguration: (section) => ({
        get: (key, fallback) => {
          const full = section ? `${section}.${key}` : key;
          return full in state.settings ? state.settings[full] : fallback;
        },
      }),
      onDidChangeConfiguration: () => disposable,
      onDidGrantWorkspaceTrust: () => disposable,
      get workspaceFolders() {
        return state.folders;
      },
      isTrusted: true,
      openTextDocument: (options) => {
        const doc = { languageId: options.language, getText: () => options.content, isUntitled: true };
        state.opened.push(doc);
        return Promise.resolve(doc);
      },
    },
    env: { clipboard: { writeText: (text) => (state.clipboard.push(text), Promise.resolve()) } },
    Uri: { parse: (s) => ({ toString: () => s }), file: (p) => ({ fsPath: p, scheme: "file" }) },
  };
  return new Proxy(api, {
    get(target, prop) {
      if (!(prop in target)) target[prop] = anything(`vscode.${String(prop)}`);
      return target[prop];
    },
  });
}

describe("extension manifest (package.json)", () => {
  test("declares limited Workspace Trust with worklog.server.path restricted", () => {
    const trust = manifest.capabilities.untrustedWorkspaces;
    assert.equal(trust.supported, "limited");
    assert.deepEqual(trust.restrictedConfigurations, ["worklog.server.path"]);
  });

  test('contributes "Work Log: Restart Server", "Work Log: Show Output" and "Work Log: Hand-off Copy"', () => {
    const titles = manifest.contributes.commands.map((c) => `${c.category}: ${c.title}`);
    assert.deepEqual(titles.sort(), ["Work Log: Hand-off Copy", "Work Log: Restart Server", "Work Log: Show Output"]);
  });

  test("contributes every setting of the contract", () => {
    const props = Object.keys(manifest.contributes.configuration.properties).sort();
    assert.deepEqual(props, [
      "worklog.globs",
      "worklog.history",
      "worklog.maxFileSize",
      "worklog.references",
      "worklog.requiredSections",
      "worklog.server.path",
      "worklog.severities",
      "worklog.trace.server",
    ]);
    const p = manifest.contributes.configuration.properties;
    assert.deepEqual(p["worklog.requiredSections"].default, ["Prev", "Now", "Progress", "Next"]);
    assert.deepEqual(p["worklog.references"].enum, ["latest", "all"]);
    assert.deepEqual(p["worklog.severities"].additionalProperties.enum, ["error", "warning", "information", "hint", "off"]);
  });

  test("engines.vscode is one vscode-languageclient and @types/vscode accept", () => {
    const min = (range) => range.replace(/^[\^~>=]+/, "").split(".").map(Number);
    const cmp = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
    const ours = min(manifest.engines.vscode);
    const client = JSON.parse(
      fs.readFileSync(path.join(ROOT, "node_modules", "vscode-languageclient", "package.json"), "utf8"),
    );
    assert.ok(cmp(ours, min(client.engines.vscode)) >= 0, `vscode-languageclient needs ${client.engines.vscode}`);
    const types = JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "@types", "vscode", "package.json"), "utf8"));
    assert.ok(cmp(min(types.version), ours) <= 0, `@types/vscode ${types.version} is newer than engines.vscode`);
  });
});

describe("extension behaviour (bundled dist/extension.js)", () => {
  let state;
  let extension;

  before(() => {
    assert.ok(fs.existsSync(BUNDLE), `${BUNDLE} missing: run npm run compile`);
  });

  beforeEach(() => {
    state = { output: [], errors: [], commands: [], settings: {}, folders: undefined, clipboard: [], opened: [], shown: [], infos: [] };
    const vscode = makeVscode(state);
    const originalLoad = Module._load;
    Module._load = function (request, ...rest) {
      return request === "vscode" ? vscode : originalLoad.call(this, request, ...rest);
    };
    try {
      delete require.cache[BUNDLE];
      extension = require(BUNDLE);
    } finally {
      Module._load = originalLoad;
    }
  });

  const context = () => ({ subscriptions: [] });

  test("registers its commands", async () => {
    const savedPath = process.env.PATH;
    process.env.PATH = fs.mkdtempSync(path.join(os.tmpdir(), "empty-path-"));
    try {
      await extension.activate(context());
    } finally {
      process.env.PATH = savedPath;
    }
    assert.deepEqual(state.commands.sort(), ["worklog.handoffCopy", "worklog.restartServer", "worklog.showOutput"]);
  });

  test("no binary on PATH and no setting: an error naming worklog.server.path", async () => {
    const savedPath = process.env.PATH;
    process.env.PATH = fs.mkdtempSync(path.join(os.tmpdir(), "empty-path-"));
    try {
      await extension.activate(context());
    } finally {
      process.env.PATH = savedPath;
    }
    assert.equal(state.errors.length, 1, JSON.stringify(state.errors));
    assert.match(state.errors[0].message, /worklog\.server\.path/);
    assert.match(state.errors[0].message, /not found on PATH/);
    assert.deepEqual(state.errors[0].items, ["Open Settings", "Show Output"]);
  });

  test("a worklog.server.path that does not exist: an error naming the setting and the path", async () => {
    state.settings["worklog.server.path"] = "/nonexistent/worklog-ls";
    await extension.activate(context());
    assert.equal(state.errors.length, 1, JSON.stringify(state.errors));
    assert.match(state.errors[0].message, /worklog\.server\.path/);
    assert.match(state.errors[0].message, /\/nonexistent\/worklog-ls/);
  });

  /** A folder holding an executable (or not) `worklog-ls`. */
  function fakeBinary(executable = true) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "worklog-bin-"));
    const file = path.join(dir, "worklog-ls");
    fs.writeFileSync(file, "#!/bin/sh\nexit 0\n", { mode: executable ? 0o755 : 0o644 });
    return { dir, file };
  }

  function withPath(dir, fn) {
    const savedPath = process.env.PATH;
    process.env.PATH = dir;
    try {
      return fn();
    } finally {
      process.env.PATH = savedPath;
    }
  }

  test("server order: worklog.server.path, then the bundled binary, then PATH", () => {
    const setting = fakeBinary();
    const bundled = fakeBinary();
    const onPath = fakeBinary();
    withPath(onPath.dir, () => {
      state.settings["worklog.server.path"] = setting.file;
      assert.deepEqual(extension.resolveServer(bundled.file), { command: setting.file, from: "worklog.server.path" });
      delete state.settings["worklog.server.path"];
      assert.deepEqual(extension.resolveServer(bundled.file), { command: bundled.file, from: "the extension (bundled)" });
      assert.deepEqual(extension.resolveServer(path.join(bundled.dir, "missing")), { command: onPath.file, from: "PATH" });
      assert.deepEqual(extension.resolveServer(undefined), { command: onPath.file, from: "PATH" });
    });
  });

  test("a bundled binary that lost its x bit is made executable", () => {
    const bundled = fakeBinary(false);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "empty-path-"));
    withPath(empty, () => {
      assert.deepEqual(extension.resolveServer(bundled.file), { command: bundled.file, from: "the extension (bundled)" });
    });
    assert.ok(fs.statSync(bundled.file).mode & 0o100);
  });

  test("a broken worklog.server.path is an error even when a bundled binary exists", () => {
    const bundled = fakeBinary();
    state.settings["worklog.server.path"] = "/nonexistent/worklog-ls";
    const result = extension.resolveServer(bundled.file);
    assert.equal(typeof result, "string");
    assert.match(result, /\/nonexistent\/worklog-ls/);
  });

  test("activation looks in <extension>/server/ and says when the package bundles no server", async () => {
    const ext = fs.mkdtempSync(path.join(os.tmpdir(), "worklog-ext-"));
    fs.mkdirSync(path.join(ext, "server"));
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "empty-path-"));
    // Not executable and not chmod-able into a server: resolution falls back to PATH (empty) → the error.
    await withPath(empty, () => extension.activate({ subscriptions: [], extensionPath: ext }));
    assert.match(state.errors[0].message, /not found on PATH/);
    assert.match(state.errors[0].message, /does not bundle one/);
  });

  test("the server gets only its own settings (not server.path or trace.server)", () => {
    Object.assign(state.settings, {
      "worklog.server.path": "/opt/worklog-ls",
      "worklog.trace.server": "verbose",
      "worklog.requiredSections": ["Prev", "Now"],
      "worklog.severities": { "missing-priority": "off" },
      "worklog.globs": ["*.log.md"],
      "worklog.references": "all",
      "worklog.maxFileSize": 1024,
    });
    assert.deepEqual(extension.serverSettings(), {
      requiredSections: ["Prev", "Now"],
      severities: { "missing-priority": "off" },
      globs: ["*.log.md"],
      references: "all",
      maxFileSize: 1024,
    });
  });

  test("a hand-off result goes to the clipboard and opens as untitled Markdown; anything else is ignored", async () => {
    const text = "---\nversion: v2\nstatus: in_progress\n---\n# T\n";
    await extension.showHandoff({ text, bytes: text.length, tokens: 17, tokenizer: "o200k_base" });
    assert.deepEqual(state.clipboard, [text]);
    assert.equal(state.opened.length, 1);
    assert.equal(state.opened[0].getText(), text);
    assert.equal(state.opened[0].languageId, "markdown");
    assert.deepEqual(state.shown, state.opened);
    assert.deepEqual(state.infos, ["Work Log: hand-off copy (17 tokens, o200k_base estimate) copied to the clipboard and opened."]);
    for (const other of [undefined, null, "text", { line: "From Work Log v3" }, { text: 3 }]) {
      await extension.showHandoff(other);
    }
    assert.equal(state.clipboard.length, 1, "nothing else reaches the clipboard");
    assert.equal(state.opened.length, 1);
  });
});
