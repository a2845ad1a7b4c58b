#!/usr/bin/env bash
# Run the peer benchmarks (kuzu, DuckDB; from npm) on this machine, now, so our
# figures can be recorded as ratios against them (bench/RESULTS.md).
# Usage: bench/peers.sh [N] [E]   (defaults 100000 nodes, 1000000 edges)
# Output: bench/out/peers-<engine>.json
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
shared="${OG_SHARED_DIR:-$here/../../shared}"
peers="$here/.peers"
mkdir -p "$peers" "$here/out"
if [ ! -d "$peers/node_modules/kuzu" ] || [ ! -d "$peers/node_modules/@duckdb/node-api" ]; then
  (cd "$peers" && printf "{\"name\":\"og-peers\",\"private\":true}\n" > package.json && npm install --no-audit --no-fund kuzu@0.11.3 @duckdb/node-api >/dev/null)
fi
mkdir -p /tmp/peers/kuzu /tmp/peers/duckdb
export N="${1:-100000}" E="${2:-1000000}"
# The peer scripts live in shared/ and resolve their modules from our install.
export NODE_PATH="$peers/node_modules"
for engine in kuzu duckdb; do
  echo "== $engine (N=$N E=$E)"
  node "$shared/peers/$engine/bench.js" | tee "$here/out/peers-$engine.json"
done
