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
v2w = re.search(r"velo-sql --cores 2 pass-through, wall:\s*([\d.]+) s", text)
v2 = re.search(r"velo-sql --cores 2, minus empty-topic run at --cores 2 \(([\d.]+) s\): ([\d.]+) s", text)
if v2w:
    r = benchlib.row("Kafka -> filter -> Kafka, --cores 2, wall (start, bounded read without group join, commit)", n,
                     velo_run={"seconds": float(v2w.group(1)), "rss": 0}, cores=2, peer_run=peer,
                     check="rows above: --cores 1; same messages out")
    rows.append(r)
if v2:
    # the start of a bounded read on several cores (it joined the consumer group, ~3 s on the dev
    # broker, before it assigned the partitions itself): the empty-topic run at --cores 2
    r = benchlib.row("Kafka -> filter -> Kafka, --cores 2, minus the empty-topic run at --cores 2 (%s s)"
                     % v2.group(1), n, velo_run={"seconds": float(v2.group(2)), "rss": 0}, cores=2, peer_run=peer,
                     check="rows above: --cores 1; same messages out")
    rows.append(r)
for r in rows:
    r["peer"].update({"engine": "kcat -C | kcat -P (librdkafka)", "threads": None, "query_seconds": None,
                      "peak_rss_bytes": None, "events_per_s": n / peer["seconds"]})
    r["ratio"] = r["events_per_s"] / r["peer"]["events_per_s"]
    r["peak_rss_bytes"] = None
lat_path = os.path.join(results, "kafka_latency.txt")
if os.path.exists(lat_path):
    # one run per core count (kafka_latency.py: --cores 1, then 2), each on a fresh broker
    for m in re.finditer(r"--cores (\d+): (\d+) msg/s for (\d+) s \(achieved (\d+) msg/s\), (\d+) of (\d+) received"
                         r"\n\s*p50 ([\d.]+) ms\s+p99 ([\d.]+) ms\s+p99\.9 ([\d.]+) ms\s+max ([\d.]+) ms.*?"
                         r"velo-sql CPU ([\d.]+) s \(([\d.]+) us/msg\)", open(lat_path).read()):
        r = benchlib.row("latency at %s msg/s (Kafka -> filter -> Kafka), --cores %s" % (m.group(2), m.group(1)),
                         int(m.group(6)), cores=int(m.group(1)),
                         check="%s of %s received; p99.9 %s ms, max %s ms; velo-sql CPU %s us/msg"
                         % (m.group(5), m.group(6), m.group(9), m.group(10), m.group(12)))
        r["events_per_s"] = float(m.group(4))
        r["latency_p50_ms"], r["latency_p99_ms"] = float(m.group(7)), float(m.group(8))
        r["cpu_us_per_msg"] = float(m.group(12))
        rows.append(r)
idle_path = os.path.join(results, "kafka_idle_latency.txt")
if os.path.exists(idle_path):
    for m in re.finditer(r"--cores (\d+): (\d+) single records.*\n\s*p50 ([\d.]+) ms\s+p90 ([\d.]+) ms\s+max ([\d.a-z]+) ms"
                         r"\s+\((\d+) lost\)", open(idle_path).read()):
        r = benchlib.row("single records through an idle job (wake-up path), --cores %s" % m.group(1), int(m.group(2)),
                         cores=int(m.group(1)), check="p90 %s ms, max %s ms; %s lost" % (m.group(4), m.group(5),
                                                                                        m.group(6)))
        r["latency_p50_ms"] = float(m.group(3))
        rows.append(r)
benchlib.write_fragment(fragment, "kafka", "Kafka pass-through and latency (velo-sql dev-kafka)",
                        {"messages": n, "latency_rate": int(os.environ.get("VELO_BENCH_KAFKA_RATE", "20000"))},
                        rows, notes="peer: the raw librdkafka path on the same broker in the same run; "
                                    "details in bench/results/kafka_passthrough.txt and kafka_latency.txt.")
