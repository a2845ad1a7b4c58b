#!/usr/bin/env bash
# Build the libFuzzer targets with clang and run each for a bounded time on a
# scratch copy of its seed corpus (libFuzzer adds inputs to its corpus dir).
# Usage: scripts/fuzz.sh [seconds-per-target]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-20}"
CC=clang cmake -S . -B build-fuzz -G Ninja -DOG_BUILD_FUZZERS=ON -DOG_BUILD_TESTS=OFF >/dev/null
ninja -C build-fuzz $(ninja -C build-fuzz -t targets all | awk -F: '/^fuzz_[a-z_]+:/{print $1}')
scratch=$(mktemp -d "${TMPDIR:-/tmp}/og-fuzz-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
status=0
for bin in build-fuzz/tests/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin"); kind=${name#fuzz_}
  mkdir -p "$scratch/$kind"
  [ -d "tests/fuzz/corpus/$kind" ] && cp -r "tests/fuzz/corpus/$kind/." "$scratch/$kind/"
  echo "== $name for ${secs}s"
  if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       "$scratch/$kind" > "$scratch/$name.log" 2>&1; then
    tail -40 "$scratch/$name.log"; status=1
  else
    grep -E "stat::number_of_executed_units|Done" "$scratch/$name.log" | tail -2
  fi
done
exit $status
