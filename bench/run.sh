#!/usr/bin/env bash
# Run every benchmark with one command: a Release build of bench/*.c, the
# peers (kuzu, DuckDB from npm) on the same machine in the same run, outputs
# in bench/out/. Figures go into bench/RESULTS.md as ratios against the peers.
# Usage: bench/run.sh [--no-peers]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
mkdir -p "$here/out"
cmake -S "$root" -B "$root/build-bench" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DOG_ENABLE_FAILPOINTS=OFF -DOG_BUILD_TESTS=OFF >/dev/null
ninja -C "$root/build-bench"
{
  echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
  echo "git: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} | tee "$here/out/machine.txt"
for b in "$root"/build-bench/bench/bench_*; do
  [ -x "$b" ] || continue
  name=$(basename "$b")
  echo "== $name"
  "$b" | tee "$here/out/$name.txt"
done
if [ "${1:-}" != "--no-peers" ]; then
  "$here/peers.sh" 10000 80000
  cp "$here/out/peers-kuzu.json" "$here/out/peers-kuzu-10k.json"
  cp "$here/out/peers-duckdb.json" "$here/out/peers-duckdb-10k.json"
  "$here/peers.sh" 100000 1000000
fi
if [ "${1:-}" != "--no-peers" ]; then
  # kuzu's single-row insert timed per row, for bench_load's insert p50
  NODE_PATH="$here/.peers/node_modules" node "$here/peer_insert.js" 2000 | tee "$here/out/peer-insert-kuzu.txt"
fi
