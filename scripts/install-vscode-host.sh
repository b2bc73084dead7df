#!/usr/bin/env bash
# Installs a real VS Code server (code-server@4.100.3 = VS Code 1.100.3, Node 20) into .vscode-host/ at the repo root,
# for the integration tests (test/integration/run-in-code-server.ts). Offline-safe: needs only the npm registry and
# Debian's packages. A plain `npm install code-server` fails here (its postinstall downloads from GitHub), so this is
# the staged install measured in docs DESIGN.md section 4. Each stage leaves a marker, so a rerun after a failure
# resumes where it stopped, and a complete install is skipped at once.
#
# Usage: scripts/install-vscode-host.sh            (env VSCODE_HOST_DIR overrides the target directory)
set -euo pipefail

VERSION=4.100.3
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
HOST_DIR="${VSCODE_HOST_DIR:-$ROOT/.vscode-host}"
CS_DIR="$HOST_DIR/node_modules/code-server"
VSCODE_DIR="$CS_DIR/lib/vscode"
STAGES="$HOST_DIR/.stages-$VERSION"
DONE="$HOST_DIR/.complete-$VERSION"
START=$SECONDS

log() { echo "[vscode-host +$((SECONDS - START))s] $*"; }

if [ -f "$DONE" ] && [ -f "$VSCODE_DIR/out/server-main.js" ]; then
  log "code-server@$VERSION already installed in $HOST_DIR (remove $DONE to reinstall)"
  exit 0
fi

# Another version installed by this script is removed whole rather than patched; a directory this script did not
# make is left alone.
if [ -d "$HOST_DIR" ] && ! [ -d "$STAGES" ] && [ -n "$(ls -A "$HOST_DIR")" ]; then
  if grep -qs 'install-vscode-host.sh' "$HOST_DIR/package.json"; then
    log "removing another version's install in $HOST_DIR"
    rm -rf "$HOST_DIR"
  else
    echo "$HOST_DIR exists and was not made by this script; remove it or set VSCODE_HOST_DIR" >&2
    exit 1
  fi
fi
mkdir -p "$STAGES"

# stage NAME COMMAND...: runs COMMAND once; its marker makes reruns skip it.
stage() {
  local name="$1"; shift
  if [ -f "$STAGES/$name" ]; then log "stage $name: done before, skipped"; return; fi
  log "stage $name: start"
  "$@"
  touch "$STAGES/$name"
  log "stage $name: done"
}

# Run from `npm test`, this script inherits npm's configuration as npm_config_* variables, among them the project's
# `ignore-scripts=true` (.npmrc): that would skip the native rebuilds below. Each step here says itself when scripts
# must not run (--ignore-scripts).
export npm_config_ignore_scripts=false

# The npm logs of this script are noisy and long; keep them in a file and print the tail on failure.
NPM_LOG="$HOST_DIR/install.log"
npm_quiet() {
  if ! npm "$@" --no-audit --no-fund --loglevel=error >>"$NPM_LOG" 2>&1; then
    echo "npm $* failed in $(pwd); last lines of $NPM_LOG:" >&2
    tail -n 40 "$NPM_LOG" >&2
    return 1
  fi
}

apt_packages() {
  # libkrb5-dev: headers for the `kerberos` native module; ripgrep: VS Code's search (its npm package downloads rg);
  # a compiler, make and python3 for node-gyp, which builds VS Code's native modules (node-pty, spdlog, kerberos, ...).
  local missing=()
  dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
  [ -x /usr/bin/rg ] || missing+=(ripgrep)
  { command -v g++ && command -v make; } >/dev/null 2>&1 || missing+=(build-essential)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  if [ ${#missing[@]} -eq 0 ]; then log "apt packages present"; return; fi
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq "${missing[@]}" >/dev/null; then
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

code_server_package() {
  # Its own package.json, so npm neither walks up to the repo's package.json nor reads the repo's .npmrc.
  cat >"$HOST_DIR/package.json" <<EOF
{ "name": "vscode-host", "private": true, "description": "code-server for the integration tests; made by scripts/install-vscode-host.sh" }
EOF
  (cd "$HOST_DIR" && npm_quiet install "code-server@$VERSION" --ignore-scripts --save-exact)
}

argon2() { (cd "$HOST_DIR" && npm_quiet rebuild argon2); }

vscode_deps() { (cd "$VSCODE_DIR" && npm_quiet install --omit=dev --ignore-scripts); }

ripgrep() {
  # @vscode/ripgrep's postinstall downloads rg from GitHub; Debian's rg takes its place.
  mkdir -p "$VSCODE_DIR/node_modules/@vscode/ripgrep/bin"
  cp /usr/bin/rg "$VSCODE_DIR/node_modules/@vscode/ripgrep/bin/rg"
}

vscode_rebuild() { (cd "$VSCODE_DIR" && npm_config_yes=true npm_quiet rebuild); }

links() {
  # What code-server's postinstall.sh would do: VS Code looks for node_modules.asar and the platform CLI scripts.
  ln -sfn node_modules "$VSCODE_DIR/node_modules.asar"
  ln -sfn code-linux.sh "$VSCODE_DIR/bin/remote-cli/code-server"
  ln -sfn browser-linux.sh "$VSCODE_DIR/bin/helpers/browser.sh"
}

builtin_extensions() { (cd "$VSCODE_DIR/extensions" && npm_quiet install --omit=dev); }

log "installing code-server@$VERSION into $HOST_DIR (npm output: $NPM_LOG)"
stage 1-apt apt_packages
stage 2-code-server code_server_package
stage 3-argon2 argon2
stage 4-vscode-deps vscode_deps
stage 5-ripgrep ripgrep
stage 6-vscode-rebuild vscode_rebuild
stage 7-links links
stage 8-builtin-extensions builtin_extensions

test -f "$VSCODE_DIR/out/server-main.js"
node -e "require('$VSCODE_DIR/node_modules/@vscode/spdlog'); require('$VSCODE_DIR/node_modules/node-pty')" \
  || { echo "native modules of lib/vscode do not load" >&2; exit 1; }
date -u +%FT%TZ >"$DONE"
log "complete: $VSCODE_DIR/out/server-main.js ($(du -sh "$HOST_DIR" | cut -f1))"
