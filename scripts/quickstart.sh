#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: install dependencies, build, and
# run the quickstart on the embedded default (a local directory graph).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build omnigraph
og="$root/build/omnigraph"
ex="$root/examples/signals"
work=$(mktemp -d "${TMPDIR:-/tmp}/omnigraph-quickstart-XXXXXX")
cd "$work"
step() { printf '\n$ omnigraph %s\n' "$*"; "$og" "$@"; }

step init --schema "$ex/schema.pg" ./graph.omni
if "$og" --help | grep -q '^  load '; then
  step load --data "$ex/data.jsonl" ./graph.omni
fi
if "$og" --help | grep -q '^  query '; then
  step query --store ./graph.omni -e 'query indicates() { match { $s: Signal { slug: "s1" }  $s indicates $p } return { $p.name } }'
  step query --query "$ex/queries.gq" --name pattern_support ./graph.omni
fi
step snapshot ./graph.omni
step branch create --from main feature-x ./graph.omni
step branch list ./graph.omni
step commit list --branch feature-x ./graph.omni
step schema plan --schema "$ex/next.pg" --from "$ex/schema.pg"
step lint --schema "$ex/schema.pg" --query "$ex/queries.gq"
step verify ./graph.omni
printf '\nquickstart graph left in %s\n' "$work"
