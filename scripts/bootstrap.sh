#!/usr/bin/env bash
# Installs everything the demo and the tests need on a fresh Debian 12 machine.
# Idempotent: a second run only checks. Set GROUNDTRUTH_SKIP_APT=1 to skip Debian packages.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m[bootstrap]\033[0m %s\n' "$*"; }

if [ "${GROUNDTRUTH_SKIP_APT:-0}" != "1" ]; then
  missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v unzip >/dev/null 2>&1 || missing+=(unzip)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

log "installing the Python package and its test extras"
python3 -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test]"

if [ -x scripts/kube-binaries.sh ]; then
  log "fetching helm, kubectl, etcd and building kube-apiserver (cached after the first run)"
  bash scripts/kube-binaries.sh
fi
log "done"
