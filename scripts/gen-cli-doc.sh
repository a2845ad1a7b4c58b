#!/usr/bin/env bash
# Regenerate the per-command sections of docs/cli.md from the binary's own
# --help texts (tests/unit/cli/test_cli.c checks they match).
# Usage: scripts/gen-cli-doc.sh [path/to/omnigraph]
set -euo pipefail
cd "$(dirname "$0")/.."
og="${1:-build/omnigraph}"
doc=docs/cli.md
head=$(sed '/^The sections below are the commands/q' "$doc")
{
  printf '%s\n' "$head"
  "$og" --help | sed -n '/^Commands:/,/^$/p' | grep '^  ' |
    sed -E 's/^  (([a-z]+)( [a-z]+)?) +.*/\1/' | while read -r c; do
      printf '\n## omnigraph %s\n\n```\n' "$c"
      # shellcheck disable=SC2086
      "$og" $c --help
      printf '```\n'
    done
} > "$doc.tmp"
mv "$doc.tmp" "$doc"
