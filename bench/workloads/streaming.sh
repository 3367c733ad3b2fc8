#!/bin/sh
# Workload: the trades streaming set (bench/streaming.py): filter+project, GROUP BY, tumbling
# window, window function and GROUP BY over distinct keys, on JSON lines and CSV, velo-sql vs
# DuckDB (one thread). Rows: $VELO_BENCH_ROWS (default 2,000,000).
# usage: streaming.sh VELO_SQL DATA_DIR FRAGMENT.json
set -eu
velo=$1 data=$2 fragment=$3
rows=${VELO_BENCH_ROWS:-2000000}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$data" "$here/results"
csv="$data/trades_$rows.csv"
jsonl="$data/trades_$rows.jsonl"
if [ ! -f "$csv" ] || [ ! -f "$jsonl" ]; then
    cc -O2 -o "$data/gen_trades" "$here/gen_trades.c"
    "$data/gen_trades" "$csv.tmp" "$jsonl.tmp" "$rows"
    mv "$csv.tmp" "$csv" && mv "$jsonl.tmp" "$jsonl"
fi
[ -d "$here/node_modules/@duckdb/node-api" ] || (cd "$here" && npm install --no-audit --no-fund --silent)
python3 "$here/streaming.py" "$velo" "$data" "$rows" "$here/results" "$fragment" >/dev/null
