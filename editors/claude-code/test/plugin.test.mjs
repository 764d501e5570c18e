// The Claude Code plugin against a real Claude Code (pinned) and the real
// server, with no model and no network:
//   - `claude plugin validate --strict --json` on the plugin and on the
//     marketplace at the repository root;
//   - `claude -p` talking to a stand-in Messages API on 127.0.0.1
//     (stand-in.mjs) that scripts the tool calls; the assertions read the
//     stand-in's request log.
//
//   CLAUDE=/path/to/node_modules/.bin/claude WORKLOG_LS=/path/to/worklog-ls \
//     node --test editors/claude-code/test/plugin.test.mjs
//
// HOME points into a temporary folder: nothing touches a real ~/.claude.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const plugin = path.resolve(here, "..");
const repo = path.resolve(plugin, "..", "..");
const claude = process.env.CLAUDE;
const server = process.env.WORKLOG_LS ?? path.join(repo, "target", "release", "worklog-ls");
const RUN_TIMEOUT_MS = Number(process.env.CLAUDE_TEST_TIMEOUT ?? 150) * 1000;

if (!claude || !fs.existsSync(claude)) throw new Error(`set CLAUDE to the claude binary (got ${claude})`);
if (!fs.existsSync(server)) throw new Error(`server binary not found: ${server} (set WORKLOG_LS)`);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "worklog-claude-"));
const home = path.join(tmp, "home");
fs.mkdirSync(home);
const env = {
  ...process.env,
  HOME: home,
  XDG_CONFIG_HOME: path.join(home, ".config"),
  DISABLE_AUTOUPDATER: "1",
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  DISABLE_TELEMETRY: "1",
  DISABLE_ERROR_REPORTING: "1",
};
delete env.ANTHROPIC_AUTH_TOKEN;
delete env.CLAUDE_CODE_OAUTH_TOKEN;

after(() => {
  if (!process.env.KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
  else console.log(`# kept ${tmp}`);
});

function validate(target) {
  const run = spawnSync(claude, ["plugin", "validate", "--strict", "--json", target], {
    env,
    encoding: "utf8",
    timeout: 60_000,
  });
  let report;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    assert.fail(`validate printed no JSON (status ${run.status}): ${run.stdout}\n${run.stderr}`);
  }
  return { status: run.status, report };
}

describe("claude plugin validate --strict", () => {
  test("the plugin is valid and provides the worklog-ls language server", () => {
    const { status, report } = validate(plugin);
    assert.equal(status, 0, JSON.stringify(report.manifest, null, 2));
    assert.equal(report.success, true);
    assert.equal(report.manifest.type, "plugin");
    assert.deepEqual(report.manifest.errors, []);
    assert.deepEqual(report.manifest.warnings, []);
    const lsp = report.provides.lspServers.find((s) => s.name === "worklog-ls");
    assert.ok(lsp, `no worklog-ls under provides.lspServers: ${JSON.stringify(report.provides)}`);
    assert.equal(lsp.command, "worklog-ls");
    assert.deepEqual(lsp.args, ["--stdio"]);
  });

  test("the marketplace at the repository root is valid and lists the plugin", () => {
    const { status, report } = validate(repo);
    assert.equal(status, 0, JSON.stringify(report.manifest, null, 2));
    assert.equal(report.manifest.type, "marketplace");
    assert.deepEqual(report.manifest.errors, []);
    assert.deepEqual(report.manifest.warnings, []);
    const market = JSON.parse(fs.readFileSync(path.join(repo, ".claude-plugin", "marketplace.json"), "utf8"));
    const entry = market.plugins.find((p) => p.name === "worklog-ls");
    assert.ok(entry);
    assert.equal(path.resolve(repo, entry.source), plugin);
  });

  test("the skill has a name and a description, and mentions check", () => {
    const skill = fs.readFileSync(path.join(plugin, "skills", "worklog", "SKILL.md"), "utf8");
    const front = skill.match(/^---\n([\s\S]*?)\n---\n/);
    assert.ok(front, "SKILL.md has no frontmatter");
    assert.match(front[1], /^name: worklog$/m);
    assert.match(front[1], /^description: .{40,}/m);
    assert.match(skill, /worklog-ls check/);
    assert.match(skill, /worklog-ls --help/);
  });
});

describe("claude -p with the plugin, a stand-in model and the real server", () => {
  const requestLog = path.join(tmp, "requests.jsonl");
  const startLog = path.join(tmp, "server-starts.log");
  const ws = path.join(tmp, "ws");
  const log = path.join(ws, "Auth-WorkLog-v4.md");
  let requests = [];
  let run = { status: null, stdout: "", stderr: "" };

  before(async () => {
    // The workspace: a copy of examples/ (a Work Log and the files it references).
    fs.cpSync(path.join(repo, "examples"), ws, { recursive: true });
    // `worklog-ls` on PATH is a wrapper that records its start, then runs the build.
    const bin = path.join(tmp, "bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(
      path.join(bin, "worklog-ls"),
      `#!/bin/sh\necho "$$ $*" >> '${startLog}'\nexec '${server}' "$@"\n`,
      { mode: 0o755 },
    );
    const portFile = path.join(tmp, "port");
    const standIn = spawn(
      process.execPath,
      [path.join(here, "stand-in.mjs"), "--log", requestLog, "--log-file", log, "--port-file", portFile, "--timeout", String(RUN_TIMEOUT_MS / 1000 + 10)],
      { stdio: ["ignore", "inherit", "inherit"] },
    );
    const standInExit = new Promise((resolve) => standIn.on("exit", resolve));
    for (let i = 0; i < 100 && !fs.existsSync(portFile); i++) await new Promise((r) => setTimeout(r, 100));
    const port = fs.readFileSync(portFile, "utf8").trim();

    const child = spawn(
      claude,
      [
        "-p",
        "Check the Work Log Auth-WorkLog-v4.md with the LSP tool, then mark its first Next item [high].",
        "--plugin-dir",
        plugin,
        "--output-format",
        "stream-json",
        "--verbose",
        "--allowedTools",
        "LSP Read Edit ToolSearch",
        "--model",
        "claude-sonnet-4-5",
        "--debug-file",
        path.join(tmp, "claude-debug.log"),
      ],
      {
        cwd: ws,
        env: {
          ...env,
          PATH: `${bin}${path.delimiter}${env.PATH}`,
          ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}`,
          ANTHROPIC_API_KEY: "sk-ant-stand-in",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child.stdout.on("data", (d) => (run.stdout += d));
    child.stderr.on("data", (d) => (run.stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
    run.status = await new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal)));
    clearTimeout(timer);
    if (standIn.exitCode === null) standIn.kill();
    await standInExit;
    requests = fs.existsSync(requestLog)
      ? fs.readFileSync(requestLog, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l))
      : [];
    fs.writeFileSync(path.join(tmp, "claude-stdout.jsonl"), run.stdout);
    if (process.env.ARTEFACTS) {
      fs.mkdirSync(process.env.ARTEFACTS, { recursive: true });
      fs.copyFileSync(requestLog, path.join(process.env.ARTEFACTS, "claude-requests.jsonl"));
      fs.writeFileSync(path.join(process.env.ARTEFACTS, "claude-stdout.jsonl"), run.stdout);
      const debug = path.join(tmp, "claude-debug.log");
      if (fs.existsSync(debug)) fs.copyFileSync(debug, path.join(process.env.ARTEFACTS, "claude-debug.log"));
    }
  });

  const main = () => requests.filter((r) => r.main);
  /** The tool_result blocks of the last user message of request `r`, as text. */
  const lastUserText = (r) => JSON.stringify(r.body.messages?.at(-1) ?? {});
  const resultOf = (name) => {
    // The request after the one whose reply called `name` carries its result.
    const m = main();
    const i = m.findIndex((r) => r.reply?.tool === name);
    return i >= 0 && i + 1 < m.length ? lastUserText(m[i + 1]) : "";
  };

  test("claude -p ran the whole script and exited 0", () => {
    const tools = main().map((r) => r.reply?.tool ?? "text");
    assert.equal(run.status, 0, `claude exited ${run.status}: ${run.stderr.slice(-2000)}`);
    assert.deepEqual(tools.slice(0, 4), ["ToolSearch", "LSP", "Read", "Edit"], `replies: ${tools}`);
    assert.equal(tools.at(-1), "text");
  });

  test("Claude Code started worklog-ls --stdio from PATH", () => {
    assert.ok(fs.existsSync(startLog), "the worklog-ls wrapper never ran");
    assert.match(fs.readFileSync(startLog, "utf8"), /--stdio/);
  });

  test("the LSP tool returned this server's document symbols", () => {
    const result = resultOf("LSP");
    assert.match(result, /tool_result/);
    // The tool prints each symbol as "name (Kind) detail - Line N"; the entry's
    // name is "v4" or "v4 · 2025-11-13 · Implementation Complete".
    assert.match(result, /\bv4\b[^\n]*\(Module\)[^\n]*Implementation Complete - Line 10/, result.slice(0, 1500));
    assert.match(result, /Next \(Field\)/);
  });

  test("the request after the Edit carried this server's bad-priority diagnostic", () => {
    const m = main();
    const edit = m.findIndex((r) => r.reply?.tool === "Edit");
    assert.ok(edit >= 0, "the script never reached the Edit");
    assert.match(fs.readFileSync(log, "utf8"), /- \[high\] Code review/, "the Edit did not change the log");
    const after = m.slice(edit + 1).map(lastUserText);
    const hit = after.find((t) => t.includes("new-diagnostics") && /bad-priority|is not a priority/.test(t));
    assert.ok(hit, `no <new-diagnostics> with bad-priority in ${after.length} requests after the Edit:\n${after.join("\n").slice(0, 3000)}`);
    assert.match(hit, /\[high\]/);
  });
});
