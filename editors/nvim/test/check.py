#!/usr/bin/env python3
"""Assert on the JSON that test/init.lua wrote: python3 check.py OUT.json"""
import json
import re
import os
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
EXAMPLES = os.path.join(REPO, "examples")
ERROR, WARN = 1, 2  # vim.diagnostic.severity

results = json.load(open(sys.argv[1], encoding="utf-8"))
passed, failed = [], []


def check(name, cond, detail=""):
    (passed if cond else failed).append(name)
    print(("ok   " if cond else "FAIL ") + name + ("" if cond or not detail else f"\n     {detail}"))


def fmt(diags):
    return "; ".join(f"{d['lnum'] + 1}:{d['col'] + 1} {d['code']} {d['message']}" for d in diags) or "none"


client = results.get("client") or {}
check("client worklog_ls attached", client.get("name") == "worklog_ls", client)
check("root_dir is examples/ (worklog.toml marker)", client.get("root_dir") == EXAMPLES, client.get("root_dir"))

for n in range(1, 5):
    diags = results["examples"][f"v{n}"]
    check(f"Auth-WorkLog-v{n}.md has no diagnostics", diags == [], fmt(diags))

broken = results["broken"]
for d in broken:
    if d.get("source") != "worklog":
        check("every diagnostic has source worklog", False, d)
bad = [d for d in broken if d["code"] == "bad-priority"]
check(
    "broken log: bad-priority on [high] (line 19, bytes 2..8, error)",
    len(bad) == 1 and (bad[0]["lnum"], bad[0]["col"], bad[0]["end_lnum"], bad[0]["end_col"], bad[0]["severity"]) == (18, 2, 18, 8, ERROR),
    fmt(bad),
)
missing = [d for d in broken if d["code"] == "file-not-found"]
# "- 🔄 `src/missing.ts`": the path starts at byte 8 (🔄 is 4 bytes), whatever encoding was negotiated.
check(
    "broken log: file-not-found on src/missing.ts after an emoji (line 17, bytes 8..22, warning)",
    len(missing) == 1 and (missing[0]["lnum"], missing[0]["col"], missing[0]["end_col"], missing[0]["severity"]) == (16, 8, 22, WARN),
    fmt(missing),
)
others = [d for d in broken if d["code"] not in ("bad-priority", "file-not-found")]
check("broken log: nothing else reported", others == [], fmt(others))

comp = results["completion"]
labels = [i["label"] for i in comp["items"]]


def texts(item):
    edit = item.get("textEdit") or {}
    return [t for t in (item.get("label"), item.get("insertText"), edit.get("newText")) if t]


hit = next((i for i in comp["items"] if any("src/routes/auth.ts" in t for t in texts(i))), None)
check("completion after `src/rou offers src/routes/auth.ts", hit is not None, labels)
if hit and hit.get("textEdit"):
    edit = hit["textEdit"]
    rng = edit.get("range") or edit.get("replace")
    line = comp["line"]
    after = line[: rng["start"]["character"]] + edit["newText"] + line[rng["end"]["character"]:]
    check("accepting it gives - `src/routes/auth.ts", after.startswith("- `src/routes/auth.ts"), after)

defn = results.get("definition")
targets = defn if isinstance(defn, list) else [defn] if defn else []
ok = False
detail = json.dumps(defn)
if len(targets) == 1:
    t = targets[0]
    uri = t.get("targetUri") or t.get("uri")
    rng = t.get("targetRange") or t.get("range")
    end_ok = rng["end"]["line"] == 119 or (rng["end"]["line"] == 120 and rng["end"]["character"] == 0)
    ok = uri == "file://" + os.path.join(EXAMPLES, "src/auth/service.ts") and rng["start"]["line"] == 83 and end_ok
check("definition of src/auth/service.ts:84-120 is service.ts lines 84..120", ok, detail)

jump = results.get("jump") or {}
check(
    "vim.lsp.buf.definition() jumps to service.ts line 84",
    jump.get("file") == os.path.join(EXAMPLES, "src/auth/service.ts") and (jump.get("cursor") or [0])[0] == 84,
    jump,
)

refs = results.get("references") or []
logs = sorted({r["uri"].rsplit("/", 1)[-1] for r in refs})
check(
    "references on src/auth/service.ts list every example log",
    logs == [f"Auth-WorkLog-v{n}.md" for n in range(1, 5)],
    logs,
)

ren = results.get("rename") or {}
root = ren.get("root")
if root:
    moved = os.path.isfile(os.path.join(root, "src/auth/token-service.ts")) and not os.path.exists(
        os.path.join(root, "src/auth/service.ts")
    )
    check("rename moved src/auth/service.ts to src/auth/token-service.ts", moved, sorted(os.listdir(os.path.join(root, "src/auth"))))
    for n in range(1, 5):
        text = open(os.path.join(root, f"Auth-WorkLog-v{n}.md"), encoding="utf-8").read()
        check(
            f"rename updated Auth-WorkLog-v{n}.md",
            # Paths and bare names (v3 writes `service.ts:84-120`) follow.
            "token-service.ts" in text and re.search(r"(?<![\w-])service\.ts", text) is None,
            [l for l in text.splitlines() if "service.ts" in l][:3],
        )
else:
    check("rename ran", False, ren)

print(f"nvim {results.get('nvim')}: {len(passed)} checks passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
