#!/usr/bin/python3
"""Latency of single records through an idle Kafka -> filter -> Kafka job, at each core count.

What it isolates: the wake-up path of a core that sleeps (on several cores each core sleeps on its
io_uring until librdkafka writes its eventfd; at most 100 ms). One record at a time, to a chosen
partition (so every core gets some), 0.2 s apart: each one finds the job idle. A core woken only by
its sleep limit would show up to 100 ms more than on one core. Settings as in kafka_latency.py.
Run with Debian's /usr/bin/python3.
usage: kafka_idle_latency.py VELO_SQL [RECORDS] [RESULTS_DIR|-] [CORES,...]
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

from confluent_kafka import Consumer, Producer, TopicPartition

PARTITIONS = 4


def measure(velo, n, cores):
    dk = subprocess.Popen([velo, "dev-kafka", "--port", "0", "--partitions", str(PARTITIONS), "--topics",
                           "idle_in,idle_out"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    b = dk.stdout.readline().strip()
    sql = os.path.join(tempfile.mkdtemp(), "q.sql")
    with open(sql, "w") as f:
        f.write("""CREATE STREAM idle (id BIGINT, sent_us BIGINT)
  WITH ('uri' = 'kafka://%s/idle_in', 'group.id' = 'idle', 'kafka.fetch.wait.max.ms' = '10');
CREATE STREAM copy AS SELECT id, sent_us FROM idle WHERE id > -1000000000 INTO 'kafka://%s/idle_out'
  WITH ('kafka.linger.ms' = '1', 'commit.interval' = '1s');
""" % (b, b))
    job, lat = None, []
    try:
        job = subprocess.Popen([velo, "run", sql, "--quiet", "--cores", str(cores)], stderr=subprocess.DEVNULL)
        p = Producer({"bootstrap.servers": b, "linger.ms": 0})
        c = Consumer({"bootstrap.servers": b, "group.id": "idle-watch", "enable.auto.commit": False,
                      "fetch.wait.max.ms": 1})
        c.assign([TopicPartition("idle_out", q, 0) for q in range(PARTITIONS)])
        seen, deadline = False, time.time() + 30  # warm-up: the job is in its group and copying
        while not seen and time.time() < deadline:
            p.produce("idle_in", json.dumps({"id": -1, "sent_us": 0}).encode())
            p.flush()
            seen = any(not m.error() for m in c.consume(100, 0.5))
        if not seen:
            raise SystemExit("the job produced nothing within 30 s")
        time.sleep(1)
        while c.consume(100, 0.2):
            pass
        for i in range(n):
            t = time.time()
            p.produce("idle_in", json.dumps({"id": i, "sent_us": int(t * 1e6)}).encode(), partition=i % PARTITIONS)
            p.flush()
            got, end = None, t + 5
            while got is None and time.time() < end:
                for m in c.consume(1, 0.5):
                    if not m.error() and json.loads(m.value())["id"] == i:
                        got = time.time()
            lat.append((got - t) * 1000 if got else float("inf"))
            time.sleep(0.2)
        c.close()
    finally:
        if job:
            job.send_signal(signal.SIGTERM)
            job.wait(timeout=30)
        dk.send_signal(signal.SIGINT)
        dk.wait(timeout=30)
    lat.sort()
    return ("Idle Kafka -> filter -> Kafka job, --cores %d: %d single records, %d partitions, 0.2 s apart\n"
            "  p50 %.1f ms  p90 %.1f ms  max %.1f ms  (%d lost)\n"
            % (cores, n, PARTITIONS, lat[len(lat) // 2], lat[int(len(lat) * 0.9)], lat[-1],
               sum(1 for x in lat if x == float("inf"))))


def main():
    velo = os.path.abspath(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    results = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] != "-" else None
    text = ""
    for cores in [int(x) for x in (sys.argv[4] if len(sys.argv) > 4 else "1,2").split(",")]:
        line = measure(velo, n, cores)
        print(line, end="", flush=True)
        text += line
    if results:
        with open(os.path.join(results, "kafka_idle_latency.txt"), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
