#!/usr/bin/env bash
# The packaged extension (.vsix with its own server) in a real VS Code:
# code-server 4.100.3 on 127.0.0.1, driven by Debian's Chromium through
# puppeteer-core (real-vscode.test.mjs, run with node --test).
#
#   editors/vscode/test/real-vscode.sh [VSIX]
#
# VSIX defaults to editors/vscode/worklog-ls-linux-x64.vsix (editors/ci.sh
# builds it). Needs apt's chromium, ripgrep and libkrb5-dev; installs
# code-server and puppeteer-core into $EDITORS_CACHE/code-server (default
# ${TMPDIR:-/tmp}/worklog-editors; reused on later runs). Everything else
# (HOME, user data, extensions, the workspace copy) lives in a fresh temporary
# folder. Screenshots go to $ARTEFACTS (default: a new temporary folder),
# printed at the end.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ext_dir="$(dirname "$here")"
repo="$(cd "$ext_dir/../.." && pwd)"
vsix="${1:-$ext_dir/worklog-ls-linux-x64.vsix}"
cache="${EDITORS_CACHE:-${TMPDIR:-/tmp}/worklog-editors}/code-server"
artefacts="${ARTEFACTS:-$(mktemp -d "${TMPDIR:-/tmp}/worklog-vscode-artefacts.XXXXXX")}"
mkdir -p "$artefacts"
[[ -f "$vsix" ]] || { echo "real-vscode: no package at $vsix (build it: bash editors/ci.sh)" >&2; exit 1; }

t0=$SECONDS
bash "$here/install-code-server.sh" "$cache"
echo "# install: $((SECONDS - t0)) s"
code_server="$cache/node_modules/.bin/code-server"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/worklog-vscode.XXXXXX")"
cs_pid=""
cleanup() {
  if [[ -n "$cs_pid" ]]; then
    kill -TERM -- "-$cs_pid" 2>/dev/null || true # its process group: it forks helpers
    for _ in $(seq 50); do kill -0 "$cs_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$cs_pid" 2>/dev/null || true
  fi
  [[ -n "${KEEP_TMP:-}" ]] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" XDG_DATA_HOME="$tmp/home/.local/share"
mkdir -p "$HOME" "$tmp/data/User" "$tmp/extensions"
# A throwaway copy of the examples workspace, with two mistakes in the log.
ws="$tmp/ws"
cp -a "$repo/examples" "$ws"
python3 - "$ws/Auth-WorkLog-v4.md" <<'PY'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
for old, new in [("- [HIGH] Code review", "- [high] Code review"),
                 ("- `src/routes/auth.ts` (All endpoints implemented)", "- `src/routes/missing.ts` (All endpoints implemented)")]:
    assert s.count(old) == 1, old
    s = s.replace(old, new)
open(p, "w", encoding="utf-8").write(s)
PY
# No worklog.server.path: the extension must use the server inside the .vsix.
cat > "$tmp/data/User/settings.json" <<'JSON'
{
  "security.workspace.trust.enabled": false,
  "files.autoSave": "off",
  "files.hotExit": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "telemetry.telemetryLevel": "off",
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "chat.commandCenter.enabled": false,
  "git.enabled": false,
  "editor.minimap.enabled": false
}
JSON

common=(--user-data-dir "$tmp/data" --extensions-dir "$tmp/extensions")
"$code_server" "${common[@]}" --install-extension "$vsix" 2>&1 | grep -v '^\[' || true
"$code_server" "${common[@]}" --list-extensions --show-versions | tee "$tmp/extensions.txt"
grep -q '^worklog-ls.worklog-ls@' "$tmp/extensions.txt" || { echo "real-vscode: the extension did not install" >&2; exit 1; }
bundled=("$tmp"/extensions/worklog-ls.worklog-ls-*/server/worklog-ls)
[[ -x "${bundled[0]}" ]] || { echo "real-vscode: no executable server/worklog-ls in the installed extension" >&2; exit 1; }
"${bundled[0]}" --version
# The extension must not find another worklog-ls on PATH (it would prove nothing).
if command -v worklog-ls >/dev/null; then
  echo "real-vscode: note: worklog-ls is also on PATH ($(command -v worklog-ls)); the bundled one must still win"
fi

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
setsid "$code_server" "${common[@]}" \
  --bind-addr "127.0.0.1:$port" --auth none --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override "$ws" \
  >"$tmp/code-server.log" 2>&1 &
cs_pid=$!
for i in $(seq 120); do
  if python3 -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$port/healthz', timeout=2)" 2>/dev/null; then break; fi
  kill -0 "$cs_pid" 2>/dev/null || { cat "$tmp/code-server.log" >&2; echo "real-vscode: code-server exited" >&2; exit 1; }
  sleep 0.5
  [[ $i -eq 120 ]] && { cat "$tmp/code-server.log" >&2; echo "real-vscode: no /healthz after 60 s" >&2; exit 1; }
done
echo "code-server on 127.0.0.1:$port (pid $cs_pid)"

status=0
CODE_SERVER_URL="http://127.0.0.1:$port" WORKSPACE="$ws" CODE_SERVER_DIR="$cache" ARTEFACTS="$artefacts" \
  timeout --kill-after=10 "${REAL_VSCODE_TIMEOUT:-420}" node --test --test-timeout=300000 "$here/real-vscode.test.mjs" </dev/null || status=$?
cp "$tmp/code-server.log" "$artefacts/" 2>/dev/null || true
find "$tmp/data/logs" -name '*Work Log*' -exec cp {} "$artefacts/" \; 2>/dev/null || true
echo "# artefacts: $artefacts"
ls "$artefacts"
echo "# real VS Code test: $((SECONDS - t0)) s in all"
exit $status
