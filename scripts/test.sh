#!/usr/bin/env bash
# The README's test command: install what is missing, then lint and run every test.
# Extra arguments go to pytest (for example: bash scripts/test.sh -m "not slow").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
echo "[test] ruff"
python3 -m ruff check .
python3 -m ruff format --check .
echo "[test] pytest"
exec python3 -m pytest "$@"
