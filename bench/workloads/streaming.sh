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
sh "$here/lib/trades.sh" "$data" "$rows"
[ -d "$here/node_modules/@duckdb/node-api" ] || (cd "$here" && npm install --no-audit --no-fund --silent)
python3 "$here/streaming.py" "$velo" "$data" "$rows" "$here/results" "$fragment" >/dev/null
