#!/usr/bin/env bash
# The Claude Code plugin against Claude Code itself (pinned) and the server:
#
#   WORKLOG_LS=target/release/worklog-ls editors/claude-code/test/run.sh
#
# Installs @anthropic-ai/claude-code into $EDITORS_CACHE/claude-code (default
# ${TMPDIR:-/tmp}/worklog-editors; reused when the version matches), then runs
# plugin.test.mjs with node --test. No model, no network beyond the npm
# install: the conversation is scripted by a stand-in API on 127.0.0.1.
set -euo pipefail
CLAUDE_CODE_VERSION=2.1.332

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
server="${WORKLOG_LS:-$repo/target/release/worklog-ls}"
case "$server" in /*) ;; *) server="$PWD/$server" ;; esac
cache="${EDITORS_CACHE:-${TMPDIR:-/tmp}/worklog-editors}/claude-code"

export DISABLE_AUTOUPDATER=1 CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_TELEMETRY=1 DISABLE_ERROR_REPORTING=1
claude="$cache/node_modules/.bin/claude"
if [[ ! -x "$claude" ]] || [[ "$(HOME="$cache/home" "$claude" --version 2>/dev/null)" != "$CLAUDE_CODE_VERSION "* ]]; then
  echo "installing @anthropic-ai/claude-code@$CLAUDE_CODE_VERSION into $cache"
  mkdir -p "$cache/home"
  [[ -f "$cache/package.json" ]] || echo '{"name":"worklog-claude-code","private":true}' > "$cache/package.json"
  (cd "$cache" && HOME="$cache/home" npm install --no-audit --no-fund --loglevel=error --no-save \
    "@anthropic-ai/claude-code@$CLAUDE_CODE_VERSION" </dev/null)
fi
# Right after the install, exec can fail with "Text file busy" for a moment
# (the postinstall has just written bin/claude.exe): retry briefly.
for i in 1 2 3 4 5 6 7 8 9 10; do
  HOME="$cache/home" "$claude" --version && break
  [[ $i -eq 10 ]] && { echo "claude-code test: $claude does not run" >&2; exit 1; }
  sleep 1
done
CLAUDE="$claude" WORKLOG_LS="$server" node --test "$here/plugin.test.mjs" </dev/null
