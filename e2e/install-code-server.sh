#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3, runs on Node 20) into
# .e2e-cache/cs100 of the project, offline apart from the npm registry.
# Idempotent: does nothing when .e2e-cache/cs100/node_modules/.bin/code-server exists.
# Kept out of the main `npm ci` so that `npm test` stays light.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${E2E_CACHE:-$ROOT/.e2e-cache}"
CS_VERSION="4.100.3"
CS_DIR="$CACHE/cs100"
CS_BIN="$CS_DIR/node_modules/.bin/code-server"
if [ -x "$CS_BIN" ] && [ -f "$CS_DIR/node_modules/code-server/package.json" ] \
   && grep -q "\"version\": \"$CS_VERSION\"" "$CS_DIR/node_modules/code-server/package.json"; then
  exit 0
fi
for tool in rg pkg-config; do
  command -v "$tool" >/dev/null || { echo "install-code-server: '$tool' is missing; run e2e/ci-setup.sh" >&2; exit 1; }
done
TMP="$CACHE/tmp"
mkdir -p "$CS_DIR" "$TMP"
# @vscode/ripgrep 1.15.x downloads rg from GitHub in its postinstall; pre-seed its
# download cache (under os.tmpdir()) with Debian's /usr/bin/rg so it never goes online.
RGC="$TMP/vscode-ripgrep-cache-1.15.11"
RGT="$RGC/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$RGT" ]; then
  mkdir -p "$RGC" "$TMP/rgpkg"
  cp "$(command -v rg)" "$TMP/rgpkg/rg"
  tar czf "$RGT" -C "$TMP/rgpkg" rg
fi
cd "$CS_DIR"
[ -f package.json ] || printf '{ "name": "e2e-code-server", "private": true, "version": "0.0.0" }\n' > package.json
echo "install-code-server: installing code-server@$CS_VERSION into $CS_DIR"
start=$(date +%s)
# npm_config_unsafe_perm: postinstall refuses to run as root without it.
# npm_config_yes: node-pty's postinstall runs `npx node-gyp` without a TTY.
# JOBS: node-gyp builds the native modules with make -j.
TMPDIR="$TMP" JOBS=max npm_config_yes=true npm_config_unsafe_perm=true \
  npm install "code-server@$CS_VERSION" --no-audit --no-fund --loglevel=error \
  > "$CACHE/install-code-server.log" 2>&1 || {
    echo "install-code-server: npm install failed; last lines of $CACHE/install-code-server.log:" >&2
    tail -40 "$CACHE/install-code-server.log" >&2
    exit 1
  }
[ -x "$CS_BIN" ] || { echo "install-code-server: $CS_BIN missing after install" >&2; exit 1; }
echo "install-code-server: done in $(( $(date +%s) - start ))s"
