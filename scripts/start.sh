#!/usr/bin/env bash
# Installs what is missing, builds the product and starts the server: the HTTP API and the web
# UI on http://127.0.0.1:8080, the database in ./data. The example catalogs in
# catalogs/ are published on the first start. Override with ADDR=... DATA=... scripts/start.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: install Rust with rustup first" >&2
  exit 1
fi
bash scripts/build-web.sh
cargo build --release -p configurator-server
for c in catalogs/*.toml; do
  ./target/release/configurator check "$c"
done
echo
echo "Manufacturer token: ./target/release/configurator token create --manufacturer NAME --data ${DATA:-data}"
echo "(run it while the server is stopped: the database belongs to one process)"
exec ./target/release/configurator serve --addr "${ADDR:-127.0.0.1:8080}" --data "${DATA:-data}" \
  --examples catalogs --web web-ui/dist
