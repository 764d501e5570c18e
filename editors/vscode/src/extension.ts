// VS Code client for worklog-ls: starts the server over stdio for Markdown
// files (the server decides which of them are Work Logs) and forwards the
// `worklog.*` settings through `workspace/configuration`.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  commands,
  ConfigurationChangeEvent,
  env,
  ExtensionContext,
  OutputChannel,
  Uri,
  window,
  workspace,
} from "vscode";
import {
  ConfigurationParams,
  DidChangeConfigurationNotification,
  Executable,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

const CLIENT_ID = "worklog";
const CLIENT_NAME = "Work Log";
const SERVER_SETTING = "worklog.server.path";
const BINARY = process.platform === "win32" ? "worklog-ls.exe" : "worklog-ls";
/** The server's command: `[uri, keep?]` → `{text, bytes, tokens, tokenizer}`. */
const HANDOFF = "worklog.handoff";

/** The keys the server reads from the `worklog` section (all others stay client-side). */
const SERVER_KEYS = ["requiredSections", "severities", "globs", "references", "maxFileSize"] as const;

let client: LanguageClient | undefined;
let output: OutputChannel;
let starting: Promise<void> | undefined;
/** `server/worklog-ls` inside the installed extension (platform-specific packages ship it). */
let bundledServer: string | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  output = window.createOutputChannel(CLIENT_NAME);
  const root = context.extensionUri?.fsPath ?? context.extensionPath;
  bundledServer = root ? path.join(root, "server", BINARY) : undefined;
  context.subscriptions.push(
    output,
    commands.registerCommand("worklog.restartServer", () => restart()),
    commands.registerCommand("worklog.showOutput", () => output.show(true)),
    commands.registerCommand("worklog.handoffCopy", (uri?: Uri) => handoffCopy(uri)),
    workspace.onDidChangeConfiguration(onConfigurationChanged),
    // Trust granted: a workspace-level `worklog.server.path` may now apply.
    workspace.onDidGrantWorkspaceTrust(() => restart()),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}

/** The settings object the server understands, for one resource scope. */
export function serverSettings(scope?: Uri): Record<string, unknown> {
  const config = workspace.getConfiguration("worklog", scope);
  const settings: Record<string, unknown> = {};
  for (const key of SERVER_KEYS) {
    const value = config.get(key);
    if (value !== undefined && value !== null) {
      // Plain JSON: VS Code returns proxies for objects.
      settings[key] = JSON.parse(JSON.stringify(value));
    }
  }
  return settings;
}

interface ResolvedServer {
  command: string;
  from: string;
}

/**
 * Which binary to run, in the order rust-analyzer uses: `worklog.server.path`
 * if set (it must exist; in an untrusted workspace VS Code only gives us the
 * user's value, never the folder's), else the binary bundled with the
 * extension, else `worklog-ls` on PATH.
 */
export function resolveServer(bundled: string | undefined = bundledServer): ResolvedServer | string {
  const configured = (workspace.getConfiguration("worklog").get<string>("server.path") ?? "").trim();
  if (configured) {
    let candidate = configured;
    if (candidate === "~" || candidate.startsWith("~/") || candidate.startsWith("~\\")) {
      candidate = path.join(os.homedir(), candidate.slice(1));
    }
    if (!path.isAbsolute(candidate)) {
      const folder = workspace.workspaceFolders?.[0];
      if (folder && folder.uri.scheme === "file") {
        candidate = path.join(folder.uri.fsPath, candidate);
      }
    }
    if (isExecutableFile(candidate)) {
      return { command: candidate, from: SERVER_SETTING };
    }
    return (
      `Work Log: \`${SERVER_SETTING}\` is set to "${configured}", but no executable file is there. ` +
      `Fix the path in \`${SERVER_SETTING}\`, or clear it to use the bundled server or worklog-ls from PATH.`
    );
  }
  if (bundled && fs.existsSync(bundled)) {
    // A .vsix unpacked by a tool that drops file modes: restore the x bit.
    if (!isExecutableFile(bundled) && process.platform !== "win32") {
      try {
        fs.chmodSync(bundled, 0o755);
      } catch {
        // fall through to PATH
      }
    }
    if (isExecutableFile(bundled)) {
      return { command: bundled, from: "the extension (bundled)" };
    }
  }
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, BINARY);
    if (isExecutableFile(candidate)) {
      return { command: candidate, from: "PATH" };
    }
  }
  return (
    `Work Log: the worklog-ls server was not found on PATH, and this package of the extension does not bundle one ` +
    `(platform-specific packages do). Install it (\`cargo install --locked --path .\` in the worklog-ls repository) or set \`${SERVER_SETTING}\` to the binary.`
  );
}

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    if (process.platform !== "win32") fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function start(): Promise<void> {
  if (starting) return starting;
  starting = doStart().finally(() => {
    starting = undefined;
  });
  return starting;
}

async function doStart(): Promise<void> {
  const resolved = resolveServer();
  if (typeof resolved === "string") {
    output.appendLine(resolved);
    void showError(resolved);
    return;
  }
  output.appendLine(`Starting ${resolved.command} (from ${resolved.from})`);

  const executable: Executable = {
    command: resolved.command,
    // TransportKind.stdio makes vscode-languageclient append `--stdio` itself:
    // the server runs as `worklog-ls --stdio` (listing it here too would pass
    // it twice).
    args: [],
    transport: TransportKind.stdio,
    options: { env: { ...process.env } },
  };
  const serverOptions: ServerOptions = { run: executable, debug: executable };

  const clientOptions: LanguageClientOptions = {
    // Every Markdown file; the server decides which ones are Work Logs and
    // leaves the others alone (path completion and links still work there).
    documentSelector: [
      { scheme: "file", language: "markdown" },
      { scheme: "untitled", language: "markdown" },
    ],
    outputChannel: output,
    initializationOptions: serverSettings(),
    middleware: {
      // However `worklog.handoff` is run (our command, a code lens or action,
      // another extension), its result is text for the user: show it.
      executeCommand: async (command, args, next) => {
        const result = await next(command, args);
        if (command === HANDOFF) await showHandoff(result);
        return result;
      },
      workspace: {
        // Answer `workspace/configuration` for section "worklog" with the
        // server's keys only (not `server.path` / `trace.server`).
        configuration: async (params: ConfigurationParams, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) return answers;
          return params.items.map((item, i) =>
            item.section === "worklog"
              ? serverSettings(item.scopeUri ? Uri.parse(item.scopeUri) : undefined)
              : answers[i],
          );
        },
      },
    },
  };

  const next = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  client = next;
  try {
    await next.start();
  } catch (err) {
    client = undefined;
    const message =
      `Work Log: could not start ${resolved.command} (${errorText(err)}). ` +
      `Check \`${SERVER_SETTING}\` and the "Work Log" output.`;
    output.appendLine(message);
    void showError(message);
  }
}

async function stop(): Promise<void> {
  const current = client;
  client = undefined;
  if (!current) return;
  try {
    await current.stop();
  } catch (err) {
    output.appendLine(`Stopping the server failed: ${errorText(err)}`);
  }
}

async function restart(): Promise<void> {
  if (starting) await starting;
  await stop();
  await start();
}

function onConfigurationChanged(event: ConfigurationChangeEvent): void {
  if (event.affectsConfiguration(SERVER_SETTING)) {
    output.appendLine(`${SERVER_SETTING} changed: restarting the server.`);
    void restart();
    return;
  }
  const relevant = SERVER_KEYS.some((key) => event.affectsConfiguration(`worklog.${key}`));
  if (relevant && client?.isRunning()) {
    // The server answers this by pulling `workspace/configuration` again.
    void client.sendNotification(DidChangeConfigurationNotification.type, {
      settings: { worklog: serverSettings() },
    });
  }
}

/** What `worklog.handoff` returns. */
export interface HandoffResult {
  text: string;
  bytes?: number;
  tokens?: number;
  tokenizer?: string;
}

function isHandoffResult(value: unknown): value is HandoffResult {
  return typeof value === "object" && value !== null && typeof (value as HandoffResult).text === "string";
}

/**
 * The hand-off copy, for the user: on the clipboard (to paste into the next
 * session) and open as an untitled Markdown document (to read or edit
 * first), with its size in a message. Anything else is ignored.
 */
export async function showHandoff(result: unknown): Promise<void> {
  if (!isHandoffResult(result)) return;
  await env.clipboard.writeText(result.text);
  const doc = await workspace.openTextDocument({ language: "markdown", content: result.text });
  await window.showTextDocument(doc, { preview: false });
  const size =
    typeof result.tokens === "number"
      ? ` (${result.tokens} tokens${result.tokenizer ? `, ${result.tokenizer} estimate` : ""})`
      : "";
  void window.showInformationMessage(`Work Log: hand-off copy${size} copied to the clipboard and opened.`);
}

/** "Work Log: Hand-off Copy" on the given or the active document. */
async function handoffCopy(uri?: Uri): Promise<void> {
  const target = uri ?? window.activeTextEditor?.document.uri;
  if (!target) {
    void window.showWarningMessage("Work Log: open a Work Log to make its hand-off copy.");
    return;
  }
  if (!client?.isRunning()) {
    void window.showWarningMessage("Work Log: the server is not running (see the \"Work Log\" output).");
    return;
  }
  try {
    // Through the command the client registered for the server's
    // `worklog.handoff`, so the middleware above shows the result.
    await commands.executeCommand(HANDOFF, target.toString());
  } catch (err) {
    void window.showErrorMessage(`Work Log: no hand-off copy: ${errorText(err)}`);
  }
}

async function showError(message: string): Promise<void> {
  const choice = await window.showErrorMessage(message, "Open Settings", "Show Output");
  if (choice === "Open Settings") {
    await commands.executeCommand("workbench.action.openSettings", SERVER_SETTING);
  } else if (choice === "Show Output") {
    output.show(true);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
