#!/bin/sh
# Parse + bind speed: a 1,000-statement file through `velo-cli validate` (parse, plan, diagnostics).
# Reported, never asserted. usage: bench/parse_bind.sh BUILD_DIR [N]
set -eu
build=${1:-build}
n=${2:-1000}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/data" "$here/results"
python3 "$here/gen_statements.py" "$here/data/statements_$n.sql" "$n"
best=""
for i in 1 2 3 4 5; do
    t0=$(date +%s.%N)
    "$build/velo-cli" validate "$here/data/statements_$n.sql" >/dev/null
    t1=$(date +%s.%N)
    t=$(echo "$t1 $t0" | awk '{print $1 - $2}')
    best=$(printf '%s\n%s\n' "$best" "$t" | grep . | sort -g | head -1)
done
awk -v n="$n" -v t="$best" -v b="$(wc -c <"$here/data/statements_$n.sql")" 'BEGIN {
    printf "parse+bind (velo-cli validate): %d statements, %.0f KB, best of 5: %.3f s (%.0f statements/s)\n", n, b / 1024, t, n / t }' \
    | tee "$here/results/parse_bind.txt"
