#!/usr/bin/env bash
# Recomputes the expected outputs next to the models with an independent tool (python-sat),
# in a virtual environment it creates. Needs PyPI. Run by hand; the outputs are committed.
set -euo pipefail
cd "$(dirname "$0")"
VENV="${VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet -r requirements.txt
fi
exec "$VENV/bin/python" crosscheck.py
