#!/usr/bin/env bash
# Capture what a Neovim user sees: Neovim in tmux on examples/Auth-WorkLog-v4.md,
# after adding a bad priority tag and asking for completion of `src/rou.
# Writes editors/nvim/screen.txt (plain text). Needs tmux.
#   WORKLOG_LS=target/release/worklog-ls editors/nvim/test/screen.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
nvim_dir="$(dirname "$here")"
repo="$(cd "$nvim_dir/../.." && pwd)"
server="${WORKLOG_LS:-$repo/target/release/worklog-ls}"
case "$server" in /*) ;; *) server="$PWD/$server" ;; esac
nvim="${NVIM:-$nvim_dir/.venv/bin/nvim}"
session="worklog-screen-$$"
tmp="$(mktemp -d)"
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$tmp"' EXIT

cd "$repo/examples"
tmux new-session -d -s "$session" -x 110 -y 30 \
  "env XDG_STATE_HOME=$tmp WORKLOG_LS=$server $nvim --clean -u $here/demo.lua Auth-WorkLog-v4.md"
sleep 2
keys() { tmux send-keys -t "$session" "$@"; sleep "${PAUSE:-0.6}"; }
# Below the last Next item: a bad tag, then leave insert mode so it is reported.
keys '/Device tracking' Enter
keys 'zz'
keys 'o- [high] Review the refresh route' Escape
sleep 1.5
# A path completion in the next item: <C-x><C-o> asks the server (vim.lsp.omnifunc).
keys 'o- [MED] Check `src/rou'
keys C-x C-o
sleep 1.5
tmux capture-pane -p -t "$session" > "$tmp/screen.txt"
keys Escape ':qa!' Enter
cp "$tmp/screen.txt" "$nvim_dir/screen.txt"
cat "$nvim_dir/screen.txt"
