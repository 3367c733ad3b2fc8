#!/usr/bin/python3
"""End-to-end latency of a Kafka -> filter -> Kafka job at a fixed input rate, on velo-sql dev-kafka.

A python-confluent-kafka producer writes {"id", "sent_us"} at RATE messages/s for SECONDS; a
running `velo-sql run` job copies them to another topic; a consumer in its own process computes
now - sent_us for every output record. Reports p50 / p99 / p99.9 / max in milliseconds. Settings
used (say them next to the figures): the sink's linger.ms and the source's fetch.wait.max.ms below.
Run with Debian's /usr/bin/python3. usage: kafka_latency.py VELO_SQL [RATE] [SECONDS] [RESULTS_DIR]
"""
import json
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import tempfile
import time

from confluent_kafka import Consumer, Producer, TopicPartition

LINGER_MS = 1
FETCH_WAIT_MS = 10


def consume(bootstrap, expect, q):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "latency", "enable.auto.commit": False,
                  "fetch.wait.max.ms": FETCH_WAIT_MS})
    c.assign([TopicPartition("lat_out", p, 0) for p in range(4)])
    lat, deadline = [], time.time() + 120
    while len(lat) < expect and time.time() < deadline:
        m = c.poll(0.1)  # one record at a time: consume(n) would wait for n records
        if m is not None and not m.error():
            now = time.time() * 1e6
            v = json.loads(m.value())
            if v["id"] >= 0:  # warm-up records have negative ids
                lat.append((now - v["sent_us"]) / 1000.0)
    c.close()
    q.put(lat)


def main():
    velo = os.path.abspath(sys.argv[1])
    rate = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 5
    results = sys.argv[4] if len(sys.argv) > 4 else None
    dk = subprocess.Popen([velo, "dev-kafka", "--port", "0", "--partitions", "4", "--topics", "lat_in,lat_out"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    b = dk.stdout.readline().strip()
    tmp = tempfile.mkdtemp()
    sql = os.path.join(tmp, "q.sql")
    with open(sql, "w") as f:
        f.write("""CREATE STREAM lat (id BIGINT, sent_us BIGINT)
  WITH ('uri' = 'kafka://%s/lat_in', 'group.id' = 'lat', 'kafka.fetch.wait.max.ms' = '%d');
CREATE STREAM copy AS SELECT id, sent_us FROM lat WHERE id > -1000000000 INTO 'kafka://%s/lat_out'
  WITH ('kafka.linger.ms' = '%d', 'commit.interval' = '1s');
""" % (b, FETCH_WAIT_MS, b, LINGER_MS))
    job = None
    try:
        p = Producer({"bootstrap.servers": b, "linger.ms": 0})
        job = subprocess.Popen([velo, "run", sql, "--quiet"], stderr=subprocess.PIPE, text=True)
        # warm-up until the job is in its group and copying
        c = Consumer({"bootstrap.servers": b, "group.id": "warm", "enable.auto.commit": False})
        c.assign([TopicPartition("lat_out", part, 0) for part in range(4)])
        seen, deadline = False, time.time() + 30
        while not seen and time.time() < deadline:
            p.produce("lat_in", json.dumps({"id": -1, "sent_us": 0}).encode())
            p.flush()
            seen = any(not m.error() for m in c.consume(100, 0.5))
        c.close()
        if not seen:
            raise SystemExit("the job produced nothing within 30 s")
        n = int(rate * seconds)
        q = mp.Queue()
        cons = mp.Process(target=consume, args=(b, n, q))
        cons.start()
        time.sleep(1)
        t0 = time.time()
        per_tick = max(1, rate // 1000)  # a burst every millisecond, sleeping in between
        for i in range(0, n, per_tick):
            delay = t0 + i / rate - time.time()
            if delay > 0:
                time.sleep(delay)
            for j in range(i, min(n, i + per_tick)):
                p.produce("lat_in", json.dumps({"id": j, "sent_us": int(time.time() * 1e6)}).encode())
            p.poll(0)
        p.flush()
        sent_s = time.time() - t0
        lat = q.get(timeout=150)
        cons.join()
    finally:
        if job:
            job.send_signal(signal.SIGTERM)
            job.wait(timeout=30)
        dk.send_signal(signal.SIGINT)
        dk.wait(timeout=30)
    lat.sort()

    def pct(x):
        return lat[min(len(lat) - 1, int(len(lat) * x))] if lat else float("nan")

    text = ("Kafka -> filter -> Kafka latency on velo-sql dev-kafka: %d msg/s for %.0f s (achieved %.0f msg/s), "
            "%d of %d received\n  p50 %.1f ms  p99 %.1f ms  p99.9 %.1f ms  max %.1f ms  "
            "(sink linger.ms=%d, fetch.wait.max.ms=%d, commit.interval=1s)\n"
            % (rate, seconds, n / sent_s, len(lat), n, pct(0.5), pct(0.99), pct(0.999), lat[-1] if lat else 0,
               LINGER_MS, FETCH_WAIT_MS))
    print(text, end="")
    if results:
        with open(os.path.join(results, "kafka_latency.txt"), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
