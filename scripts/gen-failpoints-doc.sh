#!/usr/bin/env bash
# Regenerate docs/failpoints.md from the catalogue src/util/failpoints.def
# (util.test_util checks that the two agree).
set -euo pipefail
cd "$(dirname "$0")/.."
{
  cat <<'HEAD'
# Failpoints

Generated from `src/util/failpoints.def` by `scripts/gen-failpoints-doc.sh`; the test
suite fails when the two disagree. A failpoint is armed with
`OMNIGRAPH_FAILPOINTS='<name>=<action>[@N]'` (actions `error`, `error(<status>)`,
`crash`, `pause`, `off`) in a build with `-DOG_ENABLE_FAILPOINTS=ON` (the default for
test builds). `OMNIGRAPH_FAILPOINTS_TRACE=<file>` records every hit. The crash suite
(`tests/unit/crash/test_crash.c`) runs every CLI writer with `crash` and `error` at every
point it passes and checks what a reopen sees; the column below is the expected outcome
of a crash at that point.

| failpoint | a crash here leaves |
|---|---|
HEAD
  grep -E '^OG_FP\(' src/util/failpoints.def |
    sed -E 's/^OG_FP\([A-Z0-9_]+, *"([^"]+)", *"(.*)"\) *$/| `\1` | \2 |/'
} > docs/failpoints.md
