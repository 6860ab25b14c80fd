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
# The browser tests drive Debian's Chromium through chromedriver.
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver
  else
    echo "chromium/chromedriver missing and no apt-get: the browser tests will be skipped" >&2
  fi
fi

echo "== format"
cargo fmt --all -- --check
echo "== clippy"
# The default members (native); the web UI only builds for wasm32, so it is linted there.
cargo clippy --all-targets -- -D warnings
cargo clippy -p web-ui --target wasm32-unknown-unknown -- -D warnings
echo "== configurator-core for wasm32-unknown-unknown"
cargo build -p configurator-core --target wasm32-unknown-unknown
echo "== web UI (wasm)"
bash scripts/build-web.sh
echo "== tests"
cargo test 2>&1 | tee target/test-output.txt
# The web UI's native unit tests (its catalog editing model needs no browser).
cargo test -p web-ui 2>&1 | tee -a target/test-output.txt
# Print cargo's summary lines together at the end.
echo "== summary"
grep -E '^test result:' target/test-output.txt
