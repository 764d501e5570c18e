#!/usr/bin/env bash
# Headless Emacs test of editors/emacs/worklog-ls.el (eglot) against a real
# worklog-ls binary:
#
#   editors/emacs/test/run.sh        # binary: $WORKLOG_LS or target/release/worklog-ls
#
# Needs Emacs 28+ with eglot and markdown-mode (Debian: apt-get install
# emacs-nox elpa-eglot elpa-markdown-mode; eglot is built in from Emacs 29).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
emacs_dir="$(dirname "$here")"
repo="$(cd "$emacs_dir/../.." && pwd)"
server="${WORKLOG_LS:-$repo/target/release/worklog-ls}"
case "$server" in /*) ;; *) server="$PWD/$server" ;; esac
[[ -x "$server" ]] || { echo "emacs test: server binary not found: $server" >&2; exit 1; }
command -v emacs >/dev/null || { echo "emacs test: no emacs (apt-get install emacs-nox elpa-eglot elpa-markdown-mode)" >&2; exit 1; }
emacs --version | head -1

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# worklog-ls on PATH, as the snippet expects; HOME kept out of the real one.
mkdir -p "$tmp/bin" "$tmp/home"
ln -s "$server" "$tmp/bin/worklog-ls"
cp -a "$repo/examples" "$tmp/ws"
sed -i 's/^- \[HIGH\] Code review/- [high] Code review/' "$tmp/ws/Auth-WorkLog-v4.md"
grep -q '^- \[high\] Code review' "$tmp/ws/Auth-WorkLog-v4.md"

# -q, not -Q: Debian's site-start makes the elpa-* packages loadable.
HOME="$tmp/home" PATH="$tmp/bin:$PATH" WORKLOG_WS="$tmp/ws" \
  timeout --kill-after=5 "${EMACS_TEST_TIMEOUT:-120}" \
  emacs --batch -q -l "$emacs_dir/worklog-ls.el" -l "$here/check.el" </dev/null
