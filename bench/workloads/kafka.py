#!/usr/bin/env python3
"""Workload: Kafka pass-through and latency on `velo-sql dev-kafka` (bench/kafka.sh, which also runs
kafka_latency.py): velo-sql's Kafka -> filter -> Kafka job next to the raw librdkafka path (kcat -C |
kcat -P) on the same broker in the same run, then end-to-end latency at a fixed rate. This wrapper
turns their text results (results/kafka_passthrough.txt, results/kafka_latency.txt) into a
fragment. usage: kafka.py VELO_SQL DATA_DIR FRAGMENT.json
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import benchlib  # noqa: E402

velo, data, fragment = sys.argv[1], sys.argv[2], sys.argv[3]
results = os.path.join(benchlib.BENCH, "results")
p = subprocess.run(["sh", os.path.join(benchlib.BENCH, "kafka.sh"), os.path.dirname(velo)])
if p.returncode:
    sys.exit("kafka: bench/kafka.sh failed")
text = open(os.path.join(results, "kafka_passthrough.txt")).read()
m_n = re.search(r"on velo-sql dev-kafka, (\d+) messages of ~(\d+) bytes", text)
n = int(m_n.group(1))
raw = re.search(r"raw pass-through \(kcat -C \| kcat -P\):\s*([\d.]+) s", text)
velo_wall = re.search(r"velo-sql pass-through, wall:\s*([\d.]+) s", text)
steady = re.search(r"velo-sql, minus empty-topic run \(([\d.]+) s\): ([\d.]+) s", text)
peer = {"seconds": float(raw.group(1)), "rss": 0}
rows = []
r = benchlib.row("Kafka -> filter -> Kafka, wall (start, bounded read without group join, commit)", n,
                 velo_run={"seconds": float(velo_wall.group(1)), "rss": 0}, peer_run=peer,
                 check="~%s-byte JSON messages, 32 partitions" % m_n.group(2))
rows.append(r)
r = benchlib.row("Kafka -> filter -> Kafka, minus the empty-topic run (%s s)" % steady.group(1), n,
                 velo_run={"seconds": float(steady.group(2)), "rss": 0}, peer_run=peer)
rows.append(r)
# the same job at --cores 2: the partitions spread over both cores, a producer on each
v2 = re.search(r"velo-sql --cores 2, minus empty-topic run: ([\d.]+) s", text)
if v2:
    r = benchlib.row("Kafka -> filter -> Kafka, --cores 2, minus the empty-topic run (%s s)" % steady.group(1), n,
                     velo_run={"seconds": float(v2.group(1)), "rss": 0}, cores=2, peer_run=peer,
                     check="rows above: --cores 1; same messages out")
    rows.append(r)
for r in rows:
    r["peer"].update({"engine": "kcat -C | kcat -P (librdkafka)", "threads": None, "query_seconds": None,
                      "peak_rss_bytes": None, "events_per_s": n / peer["seconds"]})
    r["ratio"] = r["events_per_s"] / r["peer"]["events_per_s"]
    r["peak_rss_bytes"] = None
lat_path = os.path.join(results, "kafka_latency.txt")
if os.path.exists(lat_path):
    lt = open(lat_path).read()
    m = re.search(r"(\d+) msg/s for (\d+) s \(achieved (\d+) msg/s\), (\d+) of (\d+) received", lt)
    q = re.search(r"p50 ([\d.]+) ms\s+p99 ([\d.]+) ms\s+p99\.9 ([\d.]+) ms\s+max ([\d.]+) ms", lt)
    if m and q:
        # velo-sql's default --cores: the CPUs it may use (the partitions spread over them)
        r = benchlib.row("latency at %s msg/s (Kafka -> filter -> Kafka)" % m.group(1), int(m.group(5)),
                         cores=len(os.sched_getaffinity(0)),
                         check="%s of %s received; p99.9 %s ms, max %s ms" % (m.group(4), m.group(5), q.group(3),
                                                                              q.group(4)))
        r["events_per_s"] = float(m.group(3))
        r["latency_p50_ms"], r["latency_p99_ms"] = float(q.group(1)), float(q.group(2))
        rows.append(r)
benchlib.write_fragment(fragment, "kafka", "Kafka pass-through and latency (velo-sql dev-kafka)",
                        {"messages": n, "latency_rate": int(os.environ.get("VELO_BENCH_KAFKA_RATE", "20000"))},
                        rows, notes="peer: the raw librdkafka path on the same broker in the same run; "
                                    "details in bench/results/kafka_passthrough.txt and kafka_latency.txt.")
