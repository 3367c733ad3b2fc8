#!/bin/sh
# make demo: generate the demo trades, run demo.sql with velo-sql, show the first results.
set -eu
bin=${1:-build/velo-sql}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/data" "$here/out"
python3 "$here/gen-demo-trades.py" "$here/data/trades.csv"
echo "== velo-sql run examples/demo/demo.sql"
set +e
"$bin" run "$here/demo.sql"
rc=$?
set -e
# exit code 3 means "finished, some records went to the dead-letter queue" (expected here)
if [ "$rc" != 0 ] && [ "$rc" != 3 ]; then exit "$rc"; fi
echo "== first rows of examples/demo/out/big_buys.jsonl ($(wc -l <"$here/out/big_buys.jsonl") rows)"
head -n 5 "$here/out/big_buys.jsonl"
echo "== first rows of examples/demo/out/vwap_1m.jsonl ($(wc -l <"$here/out/vwap_1m.jsonl") rows: symbol x minute)"
head -n 4 "$here/out/vwap_1m.jsonl"
echo "== dead-letter queue examples/demo/out/rejected.jsonl"
cat "$here/out/rejected.jsonl"
