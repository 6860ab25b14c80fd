#!/usr/bin/env bash
# Installs what is missing, builds the product and checks the example catalogs.
# The HTTP server and web UI are not built yet (issues 6 and 7); until then this starts the
# command-line configurator on the example catalogs.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: install Rust with rustup first" >&2
  exit 1
fi
cargo build --release -p configurator-server
for c in catalogs/*.toml; do
  ./target/release/configurator check "$c"
done
echo
echo "Try: ./target/release/configurator domains catalogs/pc.toml --select case.mini_itx"
