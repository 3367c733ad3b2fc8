#!/bin/sh
# make bench: every workload of bench/workloads/ (one script each, in name order), each measuring
# velo-sql against a peer in the same run and writing a JSON fragment; then bench/collect.py
# gathers the fragments into bench/results/latest.json (machine, commit, date, figures),
# docs/performance.md (tables) and bench/results/nexmark.png (gnuplot).
#
# usage: bench/run.sh BUILD_DIR [ROWS]
#   ROWS                         trades rows of the streaming workload (also $VELO_BENCH_ROWS)
#   VELO_BENCH_ONLY=a,b          re-run only these workloads (script names without extension);
#                                the others keep their last figures
#   VELO_BENCH_QUICK=1           short version (proves the harness; figures not for publishing)
#   VELO_BENCH_REPS, VELO_BENCH_NEXMARK_EVENTS, VELO_BENCH_SUM_ROWS: see bench/README.md
# A workload is `workloads/NAME.py|.sh VELO_SQL DATA_DIR FRAGMENT.json` (bench/lib/benchlib.py
# describes the fragment); adding one is adding a file there.
set -eu
build=${1:-build}
[ $# -ge 2 ] && export VELO_BENCH_ROWS="$2"
here=$(cd "$(dirname "$0")" && pwd)
velo=$(cd "$build" && pwd)/velo-sql
if [ "${VELO_BENCH_QUICK:-0}" = 1 ]; then
    export VELO_BENCH_ROWS="${VELO_BENCH_ROWS:-200000}" VELO_BENCH_NEXMARK_EVENTS="${VELO_BENCH_NEXMARK_EVENTS:-200000}"
    export VELO_BENCH_SUM_ROWS="${VELO_BENCH_SUM_ROWS:-2000000}" VELO_BENCH_REPS="${VELO_BENCH_REPS:-1}"
    export VELO_BENCH_KAFKA_MSGS="${VELO_BENCH_KAFKA_MSGS:-50000}" VELO_BENCH_JOIN_SCALE="${VELO_BENCH_JOIN_SCALE:-0.02}"
fi
frag="$here/results/fragments"
# a full run starts afresh; VELO_BENCH_ONLY re-measures some workloads and keeps the others' last
# figures (the docs say which commit and date each workload was measured at)
[ -n "${VELO_BENCH_ONLY:-}" ] || rm -rf "$frag"
mkdir -p "$frag" "$here/data"
start=$(date +%s)
VELO_BENCH_LOAD_START="$(cut -d" " -f1-3 /proc/loadavg)"
export VELO_BENCH_LOAD_START
failed=""
for path in "$here"/workloads/*; do # the glob is sorted: name order
    w=${path##*/}
    name=${w%.*}
    case "$w" in
    *.py) run="python3" ;;
    *.sh) run="sh" ;;
    *) continue ;;
    esac
    if [ -n "${VELO_BENCH_ONLY:-}" ] && ! echo ",$VELO_BENCH_ONLY," | grep -q ",$name,"; then continue; fi
    echo "== bench: $name"
    rm -f "$frag/$name.json"
    t0=$(date +%s)
    if $run "$here/workloads/$w" "$velo" "$here/data" "$frag/$name.json"; then
        echo "== bench: $name done in $(($(date +%s) - t0)) s"
    else
        echo "== bench: $name FAILED" >&2
        failed="$failed $name"
    fi
done
python3 "$here/collect.py" "$frag" --elapsed $(($(date +%s) - start))
[ -z "$failed" ] || { echo "bench: failed:$failed" >&2; exit 1; }
