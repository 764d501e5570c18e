#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 60) each; exits non-zero on
# the first crash (its input is left in fuzz/artifacts/<target>/). Needs
# cargo-fuzz (`cargo install cargo-fuzz`); on a stable toolchain the nightly
# flags cargo-fuzz uses are enabled with RUSTC_BOOTSTRAP=1.
# A crash found becomes a regression test named after it (see README.md).
set -euo pipefail
seconds="${1:-60}"
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
targets=(document edits refs frames)
cargo fuzz build -O
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    # Seed corpora: the example logs for the model targets.
    case "$t" in
        document|edits) cp -n ../examples/*.md "corpus/$t/" 2>/dev/null || true ;;
    esac
    echo "== fuzz $t for ${seconds}s"
    cargo fuzz run -O "$t" "corpus/$t" -- -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 2>&1 | tail -n 15
done
