#!/usr/bin/env bash
# Builds our per-click timer in release mode, sets up a virtual environment with the peers
# (ortools for CP-SAT, python-sat for the shared readers) and runs compare.py. Needs PyPI.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -p configurator-benches --bin click_times
VENV="${VENV:-benches/compare/.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet -r benches/compare/requirements.txt
fi
exec "$VENV/bin/python" benches/compare/compare.py
