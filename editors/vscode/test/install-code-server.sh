#!/usr/bin/env bash
# Installs code-server (VS Code's real workbench and extension host, from npm)
# and puppeteer-core into a folder outside the repository, once:
#
#   editors/vscode/test/install-code-server.sh DIR
#
# Needs Debian's chromium, ripgrep and libkrb5-dev (apt). code-server 4.100.3
# is the newest release that installs on Node 20. Its @vscode/ripgrep
# dependency downloads a ripgrep build from GitHub in its postinstall unless
# the file is already in its cache folder: that cache is seeded with Debian's
# rg, so the install needs only the npm registry.
set -euo pipefail
dir="${1:?usage: install-code-server.sh DIR}"
CODE_SERVER_VERSION=4.100.3
PUPPETEER_VERSION=24.43.1
RIPGREP_PKG_VERSION=1.15.11
RIPGREP_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

if [[ -x "$dir/node_modules/.bin/code-server" && -f "$dir/node_modules/puppeteer-core/package.json" &&
      "$(node -p "require('$dir/node_modules/code-server/package.json').version")" == "$CODE_SERVER_VERSION" ]]; then
  echo "code-server $CODE_SERVER_VERSION and puppeteer-core already in $dir"
  exit 0
fi
for tool in rg chromium; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y chromium ripgrep libkrb5-dev" >&2; exit 1; }
done
[[ -f /usr/include/krb5.h || -f /usr/include/gssapi/gssapi.h ]] ||
  { echo "missing Kerberos headers: apt-get install -y libkrb5-dev" >&2; exit 1; }

mkdir -p "$dir"
tmp="${TMPDIR:-/tmp}"
cache="$tmp/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
if [[ ! -s "$cache/$RIPGREP_ASSET" ]]; then
  mkdir -p "$cache"
  stage="$(mktemp -d)"
  cp "$(command -v rg)" "$stage/rg"
  tar -czf "$cache/$RIPGREP_ASSET" -C "$stage" rg
  rm -rf "$stage"
fi
cd "$dir"
mkdir -p home
[[ -f package.json ]] || echo '{"name":"worklog-code-server","private":true}' > package.json
# node-gyp takes the headers from /usr/include/node instead of downloading
# them; npx (node-pty's postinstall) must not ask.
# One retry: code-server's postinstall runs a second `npm install` (VS Code's
# own dependencies); a slow tarball download has been seen to leave a package
# unextracted when its install script ran (binding.gyp not found). The retry
# finds the tarballs in npm's cache.
for attempt in 1 2; do
  if npm_config_nodedir=/usr npm_config_yes=true \
    npm install --unsafe-perm --no-audit --no-fund --loglevel=error --no-save \
    "code-server@$CODE_SERVER_VERSION" "puppeteer-core@$PUPPETEER_VERSION" </dev/null; then
    break
  fi
  [[ $attempt -eq 2 ]] && { echo "install-code-server: npm install failed twice" >&2; exit 1; }
  echo "install-code-server: npm install failed; retrying once" >&2
  rm -rf node_modules/code-server
done
# --version writes ~/.config/code-server/config.yaml: keep HOME inside DIR.
HOME="$dir/home" "$dir/node_modules/.bin/code-server" --version
