#!/usr/bin/env bash
# Builds the browser UI into web-ui/dist (served by `configurator serve --web web-ui/dist`).
# Installs what is missing: the wasm32 target (rustup) and wasm-bindgen-cli at exactly the
# version of the wasm-bindgen crate in Cargo.lock (cargo install into .tools/; nothing is
# downloaded from anywhere but the crate registry).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

# The CLI must match the crate exactly (the wasm's custom section is checked).
version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$version" ]; then
  echo "wasm-bindgen is not in Cargo.lock" >&2
  exit 1
fi
bindgen=.tools/bin/wasm-bindgen
if ! [ -x "$bindgen" ] || [ "$("$bindgen" --version | awk '{print $2}')" != "$version" ]; then
  echo "== installing wasm-bindgen-cli $version into .tools (once, a few minutes)"
  # No --locked: the CLI's own lock file wants crate versions the registry may lack.
  cargo install wasm-bindgen-cli --version "$version" --root .tools --force
fi

echo "== web-ui (wasm32, profile wasm-release)"
cargo build -p web-ui --target wasm32-unknown-unknown --profile wasm-release
out=web-ui/dist
rm -rf "$out.tmp"
mkdir -p "$out.tmp"
"$bindgen" --target web --no-typescript --out-dir "$out.tmp" --out-name web-ui \
  target/wasm32-unknown-unknown/wasm-release/web-ui.wasm
cp web-ui/static/* "$out.tmp/"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "== web UI built: $out ($(du -sh "$out" | cut -f1))"
