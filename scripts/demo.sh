#!/usr/bin/env bash
# The README's demo command: install what is missing, then run the whole story locally.
set -euo pipefail
cd "$(dirname "$0")/.."
GROUNDTRUTH_SKIP_KUBE_BUILD="${GROUNDTRUTH_SKIP_KUBE_BUILD:-0}" bash scripts/bootstrap.sh
exec groundtruth demo "$@"
