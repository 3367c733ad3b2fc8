#!/bin/sh
# make demo: generate the demo trades, run demo.sql with velo-sql (files), then the Kafka part:
# start `velo-sql dev-kafka`, produce the trades to a topic with kcat, run demo-kafka.sql
# (Kafka -> Kafka and Kafka -> file), show the results and stop the broker.
set -eu
bin=${1:-build/velo-sql}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/data" "$here/out"
python3 "$here/gen-demo-trades.py" "$here/data/trades.csv"
# velo-sql run FILE; exit code 3 means "finished, some records went to the dead-letter queue"
# (expected here: the trades hold a few malformed rows)
run_sql() {
    echo "== velo-sql run examples/demo/$2"
    rc=0
    "$bin" run "$1" || rc=$?
    if [ "$rc" != 0 ] && [ "$rc" != 3 ]; then exit "$rc"; fi
}
run_sql "$here/demo.sql" demo.sql
echo "== first rows of examples/demo/out/big_buys.jsonl ($(wc -l <"$here/out/big_buys.jsonl") rows)"
head -n 5 "$here/out/big_buys.jsonl"
echo "== first rows of examples/demo/out/vwap_1m.jsonl ($(wc -l <"$here/out/vwap_1m.jsonl") rows: symbol x minute)"
head -n 4 "$here/out/vwap_1m.jsonl"
echo "== dead-letter queue examples/demo/out/rejected.jsonl"
cat "$here/out/rejected.jsonl"

# ---- Kafka: an embedded broker, kcat as the producer and consumer
log="$here/out/dev-kafka.log"
kafka_pid=
trap '[ -n "$kafka_pid" ] && kill -INT $kafka_pid 2>/dev/null; wait 2>/dev/null' EXIT
# start_kafka PORT: dev-kafka in the background; true once it printed its address
start_kafka() {
    rm -f "$here/out/bootstrap.txt"
    "$bin" dev-kafka --port "$1" --topics trades,big_buys,trades_dlq --partitions 4 \
        >"$here/out/bootstrap.txt" 2>"$log" &
    kafka_pid=$!
    i=0
    while [ ! -s "$here/out/bootstrap.txt" ] && kill -0 "$kafka_pid" 2>/dev/null && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    [ -s "$here/out/bootstrap.txt" ]
}
# 9092 like a local Kafka; when that port is taken, any free port
if ! start_kafka "${DEMO_KAFKA_PORT:-9092}" && ! start_kafka 0; then
    echo "velo-sql dev-kafka did not start:"; cat "$log"; exit 2
fi
bootstrap=$(head -n 1 "$here/out/bootstrap.txt")
echo "== velo-sql dev-kafka: broker at $bootstrap"
# key = symbol (3rd CSV column); the header line is not a trade
tail -n +2 "$here/data/trades.csv" | awk -F, '{ print $3 "|" $0 }' |
    kcat -b "$bootstrap" -P -t trades -K '|' -X log_level=3
echo "== produced $(($(wc -l <"$here/data/trades.csv") - 1)) trades to topic 'trades' with kcat"
sql="$here/out/demo-kafka.sql"
# the copy lives in out/, so its file:// paths lose their out/ prefix
sed -e "s/127.0.0.1:9092/$bootstrap/g" -e "s|file://out/|file://|g" "$here/demo-kafka.sql" >"$sql"
run_sql "$sql" demo-kafka.sql
echo "== first records of topic 'big_buys' (kcat: partition, key, value)"
kcat -b "$bootstrap" -C -t big_buys -o beginning -c 5 -q -f 'p%p %k %s\n' -X log_level=3
echo "== records in 'big_buys': $(kcat -b "$bootstrap" -C -t big_buys -o beginning -e -q -X log_level=3 | wc -l)"
echo "== dead-letter topic 'trades_dlq': headers name the error and where the record came from"
echo "   (both jobs read 'trades', so each malformed record is there once per job)"
kcat -b "$bootstrap" -C -t trades_dlq -o beginning -e -q -f '%s  <- %h\n' -X log_level=3
echo "== first rows of examples/demo/out/kafka_vwap_1m.jsonl ($(wc -l <"$here/out/kafka_vwap_1m.jsonl") rows)"
head -n 4 "$here/out/kafka_vwap_1m.jsonl"
