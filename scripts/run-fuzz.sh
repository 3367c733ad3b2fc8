#!/bin/sh
# Runs every libFuzzer target of a VELO_FUZZ build for a bounded time each.
# usage: scripts/run-fuzz.sh BUILD_DIR SECONDS [TARGET]
# Seeds come from tests/fuzz/corpus/<target>/ (fuzz_csv -> corpus/csv); new inputs found during
# the run go to a temporary folder so the repository stays clean. A crash fails the run and leaves
# the reproducer in BUILD_DIR/fuzz-artifacts/.
set -eu
build=${1:-build-fuzz}
secs=${2:-60}
only=${3:-}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$build/fuzz-artifacts"
found=0
for t in "$build"/fuzz_*; do
    [ -x "$t" ] || continue
    found=1
    name=$(basename "$t")
    [ -z "$only" ] || [ "$name" = "$only" ] || continue
    seeds="$root/tests/fuzz/corpus/${name#fuzz_}"
    work=$(mktemp -d)
    echo "fuzz: $name for ${secs}s"
    if [ -d "$seeds" ]; then set -- "$work" "$seeds"; else set -- "$work"; fi
    # parse+bind is seeded with every SQL file of the repository (golden cases, README queries, demo)
    if [ "$name" = fuzz_sql_bind ]; then
        set -- "$@" "$root/tests/fuzz/corpus/sql" "$root/tests/sql/cases" "$root/tests/compat/seed-readme"
    fi
    if ! "$t" -max_total_time="$secs" -print_final_stats=1 -max_len=16384 -artifact_prefix="$build/fuzz-artifacts/$name-" \
        "$@" >"$build/fuzz-artifacts/$name.log" 2>&1; then
        tail -40 "$build/fuzz-artifacts/$name.log"
        echo "fuzz: $name FAILED (reproducer in $build/fuzz-artifacts/)"
        rm -rf "$work"
        exit 1
    fi
    grep -E "^Done [0-9]+ runs" "$build/fuzz-artifacts/$name.log" || true
    rm -rf "$work"
done
[ "$found" = 1 ] || { echo "fuzz: no targets in $build"; exit 1; }
echo "fuzz: all targets ran clean"
