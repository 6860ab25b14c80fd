#!/usr/bin/env bash
# Builds our per-click timer in release mode, sets up a virtual environment with the peers
# (flamapy's configurator, OR-tools CP-SAT, python-sat; see requirements.txt) and runs
# compare.py, which writes results.json and the "side by side" section of BENCHMARKS.md.
# Needs PyPI the first time. Arguments go to compare.py (e.g. --only "PC Richmond").
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -p configurator-benches --bin click_times
VENV="${VENV:-benches/compare/.venv}"
REQ=benches/compare/requirements.txt
# (Re)install when the venv is new or requirements.txt changed since the last install.
if [ ! -x "$VENV/bin/python" ] || ! cmp -s "$REQ" "$VENV/requirements.installed"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet -r "$REQ"
  cp "$REQ" "$VENV/requirements.installed"
fi
exec "$VENV/bin/python" benches/compare/compare.py "$@"
