#!/usr/bin/env bash
# Installs what the tests need when missing, then runs every test.
# Used by CI (.ci/run) and by developers: `scripts/test.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: install Rust with rustup first" >&2
  exit 1
fi
# The core must build for the browser too.
if ! rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt

echo "== format"
cargo fmt --all -- --check
echo "== clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== configurator-core for wasm32-unknown-unknown"
cargo build -p configurator-core --target wasm32-unknown-unknown
echo "== tests"
cargo test --workspace 2>&1 | tee target/test-output.txt
# Print cargo's summary lines together at the end.
echo "== summary"
grep -E '^test result:' target/test-output.txt
