// A stand-in for the `vscode` module: enough of the extension API for the
// extension and vscode-languageclient to load, start the server, sync
// documents and convert results. Everything it does not model answers with an
// inert stand-in. It records what the extension shows and registers, so tests
// can drive the real client the way VS Code would.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const Module = require("node:module");
const { pathToFileURL, fileURLToPath } = require("node:url");

const MANIFEST = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8"));

/** Any property, call or `new` yields another stand-in. */
function anything(name) {
  const f = function () {};
  return new Proxy(f, {
    get(target, prop) {
      if (prop === "then" || prop === Symbol.iterator) return undefined;
      if (prop === Symbol.toPrimitive) return () => name;
      if (!(prop in target)) target[prop] = anything(`${name}.${String(prop)}`);
      return target[prop];
    },
    construct: () => anythingObject(`new ${name}`),
    apply: () => anything(`${name}()`),
  });
}

function anythingObject(name) {
  return new Proxy(
    {},
    {
      get(target, prop) {
        if (prop === "then" || prop === Symbol.iterator) return undefined;
        if (prop === Symbol.toPrimitive) return () => name;
        if (!(prop in target)) target[prop] = anything(`${name}.${String(prop)}`);
        return target[prop];
      },
    },
  );
}

/** With a fallback for anything not modelled. */
function lenient(object, name) {
  return new Proxy(object, {
    get(target, prop) {
      if (!(prop in target) && typeof prop === "string") target[prop] = anything(`${name}.${prop}`);
      return target[prop];
    },
  });
}

class EventEmitter {
  constructor() {
    this.listeners = new Set();
    this.event = (listener, thisArg, disposables) => {
      const bound = listener.bind(thisArg);
      this.listeners.add(bound);
      const d = { dispose: () => this.listeners.delete(bound) };
      if (Array.isArray(disposables)) disposables.push(d);
      return d;
    };
  }
  fire(e) {
    for (const l of [...this.listeners]) l(e);
  }
  dispose() {
    this.listeners.clear();
  }
}

class Disposable {
  constructor(fn) {
    this.fn = fn;
  }
  dispose() {
    if (this.fn) this.fn();
    this.fn = undefined;
  }
  static from(...items) {
    return new Disposable(() => items.forEach((d) => d && d.dispose && d.dispose()));
  }
}

class Position {
  constructor(line, character) {
    this.line = line;
    this.character = character;
  }
}

class Range {
  constructor(a, b, c, d) {
    if (typeof a === "number") {
      this.start = new Position(a, b);
      this.end = new Position(c, d);
    } else {
      this.start = a;
      this.end = b;
    }
  }
}

class Uri {
  constructor(href) {
    const url = new URL(href);
    this.href = href;
    this.scheme = url.protocol.slice(0, -1);
    this.path = decodeURIComponent(url.pathname);
    this.fsPath = this.scheme === "file" ? fileURLToPath(href) : this.path;
    this.fragment = url.hash.slice(1);
    this.query = url.search.slice(1);
  }
  static parse(href) {
    return new Uri(href);
  }
  static file(p) {
    return new Uri(pathToFileURL(p).href);
  }
  with() {
    return this;
  }
  toString() {
    return this.href;
  }
  toJSON() {
    return this.href;
  }
}

class Location {
  constructor(uri, rangeOrPosition) {
    this.uri = uri;
    this.range = rangeOrPosition;
  }
}
class Diagnostic {
  constructor(range, message, severity) {
    this.range = range;
    this.message = message;
    this.severity = severity;
  }
}
class CompletionItem {
  constructor(label, kind) {
    this.label = label;
    this.kind = kind;
  }
}
class CompletionList {
  constructor(items = [], isIncomplete = false) {
    this.items = items;
    this.isIncomplete = isIncomplete;
  }
}
class TextEdit {
  constructor(range, newText) {
    this.range = range;
    this.newText = newText;
  }
}
class SnippetString {
  constructor(value) {
    this.value = value;
  }
}
class MarkdownString {
  constructor(value = "") {
    this.value = value;
  }
  appendText(t) {
    this.value += t;
    return this;
  }
  appendMarkdown(t) {
    this.value += t;
    return this;
  }
  appendCodeblock(code, lang = "") {
    this.value += `\n\`\`\`${lang}\n${code}\n\`\`\`\n`;
    return this;
  }
}
class Hover {
  constructor(contents, range) {
    this.contents = Array.isArray(contents) ? contents : [contents];
    this.range = range;
  }
}
class CancellationTokenSource {
  constructor() {
    this.token = { isCancellationRequested: false, onCancellationRequested: () => new Disposable() };
  }
  cancel() {
    this.token.isCancellationRequested = true;
  }
  dispose() {}
}

const DiagnosticSeverity = { Error: 0, Warning: 1, Information: 2, Hint: 3 };
const CompletionTriggerKind = { Invoke: 0, TriggerCharacter: 1, TriggerForIncompleteCompletions: 2 };

/** A TextDocument for `text`, as VS Code would hand it to the client. */
function textDocument(file, text, languageId = "markdown", version = 1) {
  const uri = Uri.file(file);
  const lines = text.split("\n");
  return {
    uri,
    fileName: file,
    languageId,
    version,
    isUntitled: false,
    isDirty: false,
    isClosed: false,
    eol: 1,
    lineCount: lines.length,
    getText: () => text,
    lineAt: (n) => ({ text: lines[typeof n === "number" ? n : n.line] }),
    save: async () => true,
  };
}

// `require("vscode")` anywhere (also lazily, later) gets the current host's fake.
let current;
const originalLoad = Module._load;
Module._load = function (request, ...rest) {
  if (request === "vscode") {
    if (!current) throw new Error("no fake vscode host created");
    return current;
  }
  return originalLoad.call(this, request, ...rest);
};

/** A fresh fake `vscode`; host.load(bundle) requires the extension against it. */
function createHost({ settings = {}, folders = [] } = {}) {
  const host = {
    settings: { ...settings },
    output: [],
    errors: [],
    infos: [],
    clipboard: undefined, // the text last written to env.clipboard
    untitled: [], // documents opened from content (untitled)
    shown: [], // documents shown with window.showTextDocument
    commands: new Map(),
    diagnostics: new Map(), // uri string -> Diagnostic[]
    providers: {}, // kind -> [{ selector, provider, extra }]
    documents: [],
    events: {
      open: new EventEmitter(),
      close: new EventEmitter(),
      change: new EventEmitter(),
      config: new EventEmitter(),
    },
    onChange: new EventEmitter(),
  };

  const defaults = MANIFEST.contributes.configuration.properties;
  const configValue = (full) =>
    full in host.settings ? host.settings[full] : defaults[full] ? structuredClone(defaults[full].default) : undefined;

  const selectorMatches = (selector, doc) =>
    [].concat(selector).some((s) =>
      typeof s === "string"
        ? s === doc.languageId
        : (!s.language || s.language === doc.languageId) && (!s.scheme || s.scheme === doc.uri.scheme),
    );

  const register = (kind) => (selector, provider, ...extra) => {
    (host.providers[kind] ||= []).push({ selector, provider, extra });
    return new Disposable(() => {});
  };

  const output = (name) => ({
    name,
    appendLine: (line) => host.output.push(line),
    append: (text) => host.output.push(text),
    replace: () => {},
    clear: () => {},
    show: () => {},
    hide: () => {},
    dispose: () => {},
  });

  const languages = lenient(
    {
      match: (selector, doc) => (selectorMatches(selector, doc) ? 10 : 0),
      createDiagnosticCollection: () => ({
        set: (uri, diags) => {
          if (Array.isArray(uri)) {
            for (const [u, d] of uri) host.diagnostics.set(String(u), d || []);
          } else {
            host.diagnostics.set(String(uri), diags || []);
          }
          host.onChange.fire();
        },
        delete: (uri) => host.diagnostics.delete(String(uri)),
        clear: () => host.diagnostics.clear(),
        forEach: () => {},
        get: (uri) => host.diagnostics.get(String(uri)),
        has: (uri) => host.diagnostics.has(String(uri)),
        dispose: () => {},
      }),
      registerCompletionItemProvider: register("completion"),
      registerDefinitionProvider: register("definition"),
      registerHoverProvider: register("hover"),
      registerDocumentLinkProvider: register("documentLink"),
      registerDocumentSymbolProvider: register("documentSymbol"),
      registerCodeActionsProvider: register("codeAction"),
    },
    "vscode.languages",
  );

  const event = (emitter) => emitter.event;
  const none = () => new Disposable(() => {});
  const workspace = lenient(
    {
      getConfiguration: (section) => ({
        get: (key, fallback) => {
          const v = configValue(section ? `${section}.${key}` : key);
          return v === undefined ? fallback : v;
        },
        has: (key) => configValue(section ? `${section}.${key}` : key) !== undefined,
        inspect: () => undefined,
        update: async () => {},
      }),
      get workspaceFolders() {
        return folders.map((f, index) => ({ uri: Uri.file(f), name: path.basename(f), index }));
      },
      getWorkspaceFolder: (uri) => {
        const f = folders.find((dir) => uri.fsPath.startsWith(dir + path.sep));
        return f ? { uri: Uri.file(f), name: path.basename(f), index: folders.indexOf(f) } : undefined;
      },
      get textDocuments() {
        return host.documents;
      },
      notebookDocuments: [],
      isTrusted: true,
      onDidOpenTextDocument: event(host.events.open),
      onDidCloseTextDocument: event(host.events.close),
      onDidChangeTextDocument: event(host.events.change),
      onDidChangeConfiguration: event(host.events.config),
      onDidSaveTextDocument: none,
      onWillSaveTextDocument: none,
      onDidGrantWorkspaceTrust: none,
      onDidChangeWorkspaceFolders: none,
      onDidOpenNotebookDocument: none,
      onDidCloseNotebookDocument: none,
      onDidChangeNotebookDocument: none,
      onDidSaveNotebookDocument: none,
      onDidCreateFiles: none,
      onDidRenameFiles: none,
      onDidDeleteFiles: none,
      onWillCreateFiles: none,
      onWillRenameFiles: none,
      onWillDeleteFiles: none,
      openTextDocument: async (arg) => {
        if (!arg || typeof arg !== "object" || typeof arg.content !== "string") {
          throw new Error("fake host: openTextDocument only opens content");
        }
        const doc = { ...textDocument(`/untitled/Untitled-${host.untitled.length + 1}`, arg.content, arg.language), isUntitled: true };
        host.untitled.push(doc);
        host.onChange.fire();
        return doc;
      },
      createFileSystemWatcher: () => ({ onDidCreate: none, onDidChange: none, onDidDelete: none, dispose() {} }),
    },
    "vscode.workspace",
  );

  const window = lenient(
    {
      createOutputChannel: output,
      showErrorMessage: (message, ...items) => {
        host.errors.push({ message, items });
        host.onChange.fire();
        return Promise.resolve(undefined);
      },
      showWarningMessage: (message) => {
        host.infos.push({ level: "warning", message });
        host.onChange.fire();
        return Promise.resolve(undefined);
      },
      showInformationMessage: (message) => {
        host.infos.push({ level: "info", message });
        host.onChange.fire();
        return Promise.resolve(undefined);
      },
      showTextDocument: async (doc) => {
        host.shown.push(doc);
        host.onChange.fire();
        return { document: doc };
      },
      activeTextEditor: undefined,
      visibleTextEditors: [],
      onDidChangeActiveTextEditor: none,
      onDidChangeVisibleTextEditors: none,
      tabGroups: { all: [], onDidChangeTabs: none, onDidChangeTabGroups: none },
    },
    "vscode.window",
  );

  const commands = lenient(
    {
      registerCommand: (id, fn) => {
        host.commands.set(id, fn);
        return new Disposable(() => host.commands.delete(id));
      },
      executeCommand: async (id, ...args) => (host.commands.has(id) ? host.commands.get(id)(...args) : undefined),
    },
    "vscode.commands",
  );

  const vscode = lenient(
    {
      version: "1.82.0",
      env: lenient(
        {
          language: "en",
          appName: "Visual Studio Code",
          machineId: "fake",
          uiKind: 1,
          clipboard: {
            writeText: async (text) => {
              host.clipboard = text;
              host.onChange.fire();
            },
            readText: async () => host.clipboard ?? "",
          },
        },
        "vscode.env",
      ),
      window,
      workspace,
      languages,
      commands,
      extensions: { getExtension: () => undefined, all: [] },
      EventEmitter,
      Disposable,
      Position,
      Range,
      Uri,
      Location,
      Diagnostic,
      DiagnosticSeverity,
      CompletionItem,
      CompletionList,
      CompletionTriggerKind,
      TextEdit,
      SnippetString,
      MarkdownString,
      Hover,
      CancellationTokenSource,
    },
    "vscode",
  );

  /** Open a document as VS Code does: list it and fire onDidOpenTextDocument. */
  host.open = (file, text = fs.readFileSync(file, "utf8"), languageId = "markdown") => {
    const doc = textDocument(file, text, languageId);
    host.documents.push(doc);
    host.events.open.fire(doc);
    return doc;
  };

  /** Providers registered for a document. */
  host.providersFor = (kind, doc) => (host.providers[kind] || []).filter((p) => selectorMatches(p.selector, doc));

  /** Resolves once check() is truthy (re-checked whenever the host records something). */
  host.waitFor = (check, what, ms = 10000) =>
    new Promise((resolve, reject) => {
      let d;
      const timer = setTimeout(() => {
        d.dispose();
        reject(new Error(`timed out after ${ms} ms waiting for ${typeof what === "function" ? what() : what}`));
      }, ms);
      const attempt = () => {
        const v = check();
        if (v) {
          clearTimeout(timer);
          d.dispose();
          resolve(v);
        }
      };
      d = host.onChange.event(attempt);
      const poll = setInterval(attempt, 50);
      const inner = d;
      d = { dispose: () => (inner.dispose(), clearInterval(poll)) };
      attempt();
    });

  /** require() the bundled extension against this host. */
  host.load = (bundle) => {
    current = vscode;
    delete require.cache[bundle];
    return require(bundle);
  };

  host.vscode = vscode;
  return host;
}

module.exports = { createHost, DiagnosticSeverity, CompletionTriggerKind, Position, Uri };
