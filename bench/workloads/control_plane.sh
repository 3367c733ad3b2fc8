#!/bin/sh
# Workload: the control plane under load (bench/control_plane.py): a job on `velo-sql serve` alone
# and under wrk at >= 1,000 requests/s on /metrics and /v1/jobs. Needs wrk (skipped without it).
# Rows: $VELO_BENCH_ROWS (default 2,000,000). usage: control_plane.sh VELO_SQL DATA_DIR FRAGMENT.json
set -eu
velo=$1 data=$2 fragment=$3
rows=${VELO_BENCH_ROWS:-2000000}
here=$(cd "$(dirname "$0")/.." && pwd)
sh "$here/lib/trades.sh" "$data" "$rows"
python3 "$here/control_plane.py" "$(dirname "$velo")" "$data" "$rows" "$here/results" "$fragment"
