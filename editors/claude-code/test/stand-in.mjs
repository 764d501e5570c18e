// A stand-in for the Anthropic Messages API on 127.0.0.1, for driving
// `claude -p` without a model or a network. It answers the main
// conversation with a fixed script of streamed tool calls and logs every
// request it receives (one JSON object per line) for the test to inspect.
//
//   node stand-in.mjs --log FILE --log-file PATH --port-file FILE [--timeout S]
//
// Script, decided from the conversation in each request (not from a
// counter, so retries and side requests do not shift it):
//   1. ToolSearch {"query": "select:LSP"}      (2.1.332 defers the LSP tool)
//   2. LSP documentSymbol on the log
//   3. Read the log                            (Edit needs a prior Read)
//   4. Edit: "- [HIGH] Code review" becomes "- [high] Code review" (a
//      bad-priority error; the log is a copy of examples/Auth-WorkLog-v4.md)
//   5. until a request carries the server's diagnostics (at most 5 times,
//      2 s apart): Read the log again, so another request follows
//   6. a final text answer
// Requests without these tools (side requests such as titles) get a short
// text. The process exits by itself once the script has ended, or after
// --timeout seconds (default 150).
import http from "node:http";
import fs from "node:fs";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => {
    if (arg.startsWith("--")) pairs.push([arg.slice(2), all[i + 1]]);
    return pairs;
  }, []),
);
const requestLog = args.log;
const logPath = args["log-file"];
const timeout = Number(args.timeout ?? 150) * 1000;
if (!requestLog || !logPath || !args["port-file"]) {
  console.error("usage: stand-in.mjs --log FILE --log-file PATH --port-file FILE [--timeout S]");
  process.exit(2);
}

const MAX_WAITS = 5;
let done = false;
let counter = 0;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything in a request as one string (tool results, reminders, …). */
function flatten(value) {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function toolUses(messages) {
  const uses = [];
  for (const m of messages ?? []) {
    if (m.role !== "assistant" || !Array.isArray(m.content)) continue;
    for (const block of m.content) if (block.type === "tool_use") uses.push(block);
  }
  return uses;
}

function hasDiagnostics(body) {
  const text = flatten(body.messages?.slice(-1));
  return text.includes("new-diagnostics") && /bad-priority|is not a priority/.test(text);
}

/** The next step of the script for this conversation: a tool call or text. */
async function nextStep(body) {
  const uses = toolUses(body.messages);
  const n = uses.length;
  if (n === 0) return { tool: "ToolSearch", input: { query: "select:LSP" } };
  if (n === 1) return { tool: "LSP", input: { operation: "documentSymbol", filePath: logPath, line: 1, character: 1 } };
  if (n === 2) return { tool: "Read", input: { file_path: logPath } };
  if (n === 3) return { tool: "Edit", input: { file_path: logPath, old_string: "- [HIGH] Code review", new_string: "- [high] Code review" } };
  const waits = n - 4;
  if (!hasDiagnostics(body) && waits < MAX_WAITS) {
    await sleep(2000); // let the server's publish land before the next request is built
    return { tool: "Read", input: { file_path: logPath } };
  }
  done = true;
  return { text: hasDiagnostics(body) ? "The edit introduced a bad-priority error." : "No diagnostics arrived." };
}

function sse(res, events) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  for (const [type, data] of events) res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  res.end();
}

function reply(res, body, step) {
  const id = `msg_standin_${++counter}`;
  const model = body.model ?? "claude-stand-in";
  const usage = { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const block = step.tool
    ? { type: "tool_use", id: `toolu_standin_${counter}`, name: step.tool, input: step.input }
    : { type: "text", text: step.text };
  const stop = step.tool ? "tool_use" : "end_turn";
  if (!body.stream) {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ id, type: "message", role: "assistant", model, content: [block], stop_reason: stop, stop_sequence: null, usage }));
    return;
  }
  const start = step.tool ? { ...block, input: {} } : { type: "text", text: "" };
  const delta = step.tool
    ? { type: "input_json_delta", partial_json: JSON.stringify(step.input) }
    : { type: "text_delta", text: step.text };
  sse(res, [
    ["message_start", { message: { id, type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage } }],
    ["content_block_start", { index: 0, content_block: start }],
    ["content_block_delta", { index: 0, delta }],
    ["content_block_stop", { index: 0 }],
    ["message_delta", { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 5 } }],
    ["message_stop", {}],
  ]);
}

function isMain(body) {
  const names = (body.tools ?? []).map((t) => t.name);
  return names.includes("Edit") || names.includes("ToolSearch");
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", async () => {
    const raw = Buffer.concat(chunks).toString("utf8");
    let body = {};
    try {
      body = raw ? JSON.parse(raw) : {};
    } catch {}
    const main = req.method === "POST" && req.url.startsWith("/v1/messages") && !req.url.includes("count_tokens") && isMain(body);
    let step = null;
    try {
      if (req.method === "POST" && req.url.startsWith("/v1/messages/count_tokens")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ input_tokens: 100 }));
      } else if (req.method === "POST" && req.url.startsWith("/v1/messages")) {
        step = main ? await nextStep(body) : { text: "ok" };
        reply(res, body, step);
      } else {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ type: "error", error: { type: "not_found_error", message: "stand-in" } }));
      }
    } finally {
      fs.appendFileSync(
        requestLog,
        JSON.stringify({ at: new Date().toISOString(), method: req.method, url: req.url, main, reply: step, body }) + "\n",
      );
      if (done) setTimeout(() => process.exit(0), 3000).unref();
    }
  });
});

server.listen(0, "127.0.0.1", () => {
  fs.writeFileSync(args["port-file"], String(server.address().port));
});
setTimeout(() => {
  console.error(`stand-in: no end of the script after ${timeout / 1000}s; stopping`);
  process.exit(3);
}, timeout).unref();
