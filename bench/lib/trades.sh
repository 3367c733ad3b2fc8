#!/bin/sh
# Makes sure DATA_DIR/trades_ROWS.csv and .jsonl exist (gen_trades.c, same rows in both), for the
# workloads that read the trades. usage: trades.sh DATA_DIR ROWS
set -eu
data=$1 rows=$2
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$data"
csv="$data/trades_$rows.csv"
jsonl="$data/trades_$rows.jsonl"
if [ ! -f "$csv" ] || [ ! -f "$jsonl" ]; then
    cc -O2 -o "$data/gen_trades" "$here/gen_trades.c"
    "$data/gen_trades" "$csv.tmp" "$jsonl.tmp" "$rows"
    mv "$csv.tmp" "$csv" && mv "$jsonl.tmp" "$jsonl"
fi
