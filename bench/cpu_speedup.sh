#!/bin/sh
# Estimates the 2-core speed-up of a query from CPU samples rather than wall time, for machines
# shared with other work (where wall-clock ratios mostly measure the neighbours): perf samples of
# the 1-core run divided by those of the 2-core run's busiest thread plus the next-busiest
# non-core thread (the control thread). usage: bench/cpu_speedup.sh VELO_SQL QUERY.sql
set -eu
velo=$1 sql=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for c in 1 2; do
    perf record -q -F 4000 -o "$tmp/p$c.data" "$velo" run "$sql" --quiet --cores $c >/dev/null 2>&1
    perf report -i "$tmp/p$c.data" --sort pid -n --stdio 2>/dev/null | awk '/%/ {print $2}' | sort -rn >"$tmp/s$c"
done
t1=$(paste -sd+ "$tmp/s1" | bc)
busiest=$(head -1 "$tmp/s2")
control=$(tail -1 "$tmp/s2")
echo "1 core: $t1 samples; 2 cores: threads $(paste -sd' ' "$tmp/s2"); estimate $(echo "scale=2; $t1 / ($busiest + $control)" | bc)x"
