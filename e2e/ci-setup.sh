#!/usr/bin/env bash
# Installs the system packages the e2e test (npm run test:e2e) needs.
# Idempotent and quiet: does nothing when everything is already installed.
#   chromium     - the browser playwright-core drives (never downloaded by playwright)
#   libkrb5-dev  - headers for code-server's native 'kerberos' module
#   pkg-config   - used by node-gyp builds of code-server's native modules
#   ripgrep      - /usr/bin/rg pre-seeds @vscode/ripgrep's download cache (offline)
set -euo pipefail
pkgs=(chromium libkrb5-dev pkg-config ripgrep)
missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -eq 0 ] && [ -x /usr/bin/chromium ] && [ -x /usr/bin/rg ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
echo "e2e/ci-setup.sh: installing ${missing[*]}"
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "e2e/ci-setup.sh: done"
