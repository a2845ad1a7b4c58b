#!/usr/bin/env bash
# Build and run the test suite. Usage:
#   scripts/test.sh            normal build (build/), warnings are errors
#   scripts/test.sh --asan     AddressSanitizer + UBSan build (build-asan/)
# Extra arguments after the flag go to ctest (e.g. -R '^table\.').
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build
opts=(-DOG_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [ "${1:-}" = "--asan" ]; then
  dir=build-asan
  opts+=(-DOG_SANITIZE=ON)
  shift
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fi
cmake -S . -B "$dir" -G Ninja "${opts[@]}" >/dev/null
ninja -C "$dir"
cd "$dir"
ctest --output-on-failure -j2 "$@"
