#!/bin/sh
# make bench: performance measured against a peer in the same run, reported as ratios.
# filter+project of a CSV file to JSON lines, velo-sql vs DuckDB (single thread each); parse+bind;
# then the streaming set (streaming.py): filter+project, GROUP BY, tumbling window, window function
# on JSON lines and CSV, and GROUP BY over ROWS distinct keys (memory).
# usage: bench/run.sh BUILD_DIR [ROWS]     (ROWS defaults to $VELO_BENCH_ROWS, else 2000000)
set -eu
build=${1:-build}
rows=${2:-${VELO_BENCH_ROWS:-2000000}}
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$build" && pwd)/velo-sql
mkdir -p "$here/data" "$here/results"
csv="$here/data/trades_$rows.csv"
jsonl="$here/data/trades_$rows.jsonl"
if [ ! -f "$csv" ] || [ ! -f "$jsonl" ]; then
    cc -O2 -o "$here/data/gen_trades" "$here/gen_trades.c"
    "$here/data/gen_trades" "$csv.tmp" "$jsonl.tmp" "$rows"
    mv "$csv.tmp" "$csv" && mv "$jsonl.tmp" "$jsonl"
fi
[ -d "$here/node_modules/@duckdb/node-api" ] || (cd "$here" && npm install --no-audit --no-fund --silent)

cat >"$here/data/filter_project.sql" <<SQL
CREATE STREAM trades (trade_id BIGINT, ts TIMESTAMP, symbol VARCHAR, trader VARCHAR, side VARCHAR,
                      price DECIMAL(12, 2), quantity BIGINT)
    WITH ('uri' = 'file://trades_$rows.csv?format=csv&header=true');
CREATE STREAM out AS
SELECT trade_id, symbol, price, quantity, price * quantity AS notional
FROM trades WHERE side = 'BUY' AND quantity >= 500
INTO 'file://velo_out.jsonl';
SQL

best_velo=""
best_duck=""
for i in 1 2 3; do
    t0=$(date +%s.%N)
    "$bin" run "$here/data/filter_project.sql" --quiet --cores 1
    t1=$(date +%s.%N)
    v=$(echo "$t1 - $t0" | awk '{print $1 - $3}')
    d=$(node "$here/duckdb_peer.mjs" "$csv" "$here/data/duck_out.jsonl" | sed 's/.*"seconds":\([0-9.e-]*\).*/\1/')
    best_velo=$(printf '%s\n%s\n' "$best_velo" "$v" | grep . | sort -g | head -1)
    best_duck=$(printf '%s\n%s\n' "$best_duck" "$d" | grep . | sort -g | head -1)
done
vrows=$(wc -l <"$here/data/velo_out.jsonl")
drows=$(wc -l <"$here/data/duck_out.jsonl")
awk -v r="$rows" -v v="$best_velo" -v d="$best_duck" -v vr="$vrows" -v dr="$drows" 'BEGIN {
    printf "filter+project CSV -> JSONL, %d rows, best of 3, 1 thread each\n", r;
    printf "  velo-sql: %.3f s  %.2f M rows/s  (%d rows out)\n", v, r / v / 1e6, vr;
    printf "  duckdb:   %.3f s  %.2f M rows/s  (%d rows out)\n", d, r / d / 1e6, dr;
    printf "  ratio velo-sql/duckdb throughput: %.2f\n", d / v;
}' | tee "$here/results/filter_project.txt"
[ "$vrows" = "$drows" ] || { echo "bench: row counts differ ($vrows vs $drows)"; exit 1; }
"$here/parse_bind.sh" "$build"
python3 "$here/streaming.py" "$bin" "$here/data" "$rows" "$here/results"
python3 "$here/joins.py" "$bin" "$here/data" "$here/results"
# control plane: wrk on /metrics and /v1/jobs (>= 1,000 requests/s) while a job runs on the node
python3 "$here/control_plane.py" "$build" "$here/data" "$rows" "$here/results"
"$here/kafka.sh" "$build"

# Thread-per-core: the exchange microbenchmark, then a GROUP BY that needs an exchange (the file is
# split over the cores, rows go to the core owning their key) at --cores 1 and --cores 2.
"$build/bench_exchange" 200000 | tee "$here/results/exchange.txt"
cat >"$here/data/group_scaling.sql" <<SQL
CREATE STREAM trades (trade_id BIGINT, ts TIMESTAMP, symbol VARCHAR, trader VARCHAR, side VARCHAR,
                      price DECIMAL(12, 2), quantity BIGINT)
    WITH ('uri' = 'file://trades_$rows.jsonl');
CREATE STREAM out AS
SELECT trader, symbol, COUNT(*) AS n, SUM(quantity) AS q, MIN(price) AS lo, MAX(price) AS hi
FROM trades GROUP BY trader, symbol
INTO 'file://velo_group_out.jsonl';
SQL
best() { # best wall time of 3 runs of velo-sql with the given arguments
    b=""
    for i in 1 2 3; do
        t0=$(date +%s.%N)
        "$bin" run "$here/data/group_scaling.sql" --quiet "$@"
        t1=$(date +%s.%N)
        b=$(printf '%s\n%s\n' "$b" "$(echo "$t1 $t0" | awk '{print $1 - $2}')" | grep . | sort -g | head -1)
    done
    echo "$b"
}
t1=$(best --cores 1)
sort "$here/data/velo_group_out.jsonl" >"$here/data/group_1.sorted"
t2=$(best --cores 2)
sort "$here/data/velo_group_out.jsonl" >"$here/data/group_2.sorted"
cmp -s "$here/data/group_1.sorted" "$here/data/group_2.sorted" || { echo "bench: GROUP BY differs at 2 cores"; exit 1; }
awk -v r="$rows" -v a="$t1" -v b="$t2" 'BEGIN {
    printf "GROUP BY trader, symbol over JSON lines, %d rows, best of 3 (same output at both)\n", r;
    printf "  --cores 1: %.3f s  %.2f M rows/s\n", a, r / a / 1e6;
    printf "  --cores 2: %.3f s  %.2f M rows/s\n", b, r / b / 1e6;
    printf "  speed-up: %.2fx (target >= 1.8x on 2 idle cores)\n", a / b;
}' | tee "$here/results/group_scaling.txt"
