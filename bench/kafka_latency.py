#!/usr/bin/python3
"""End-to-end latency of a Kafka -> filter -> Kafka job at a fixed input rate, on velo-sql dev-kafka.

A python-confluent-kafka producer writes {"id", "sent_us"} at RATE messages/s for SECONDS; a
running `velo-sql run` job copies them to another topic; a consumer in its own process computes
now - sent_us for every output record. Reports p50 / p99 / p99.9 / max in milliseconds. Settings
used (say them next to the figures): the sink's linger.ms and the source's fetch.wait.max.ms below.
Runs once per core count (default 1 and 2, same rate, a fresh broker each) and reports the CPU
seconds velo-sql used while the records flowed. Run with Debian's /usr/bin/python3.
usage: kafka_latency.py VELO_SQL [RATE] [SECONDS] [RESULTS_DIR|-] [CORES,...]
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


def cpu_seconds(pid):
    """User + system CPU seconds of a running process so far (/proc/PID/stat)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def measure(velo, rate, seconds, cores):
    """One run on a fresh dev-kafka with `velo-sql run --cores CORES`: a line of figures."""
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
    job, cpu = None, float("nan")
    try:
        p = Producer({"bootstrap.servers": b, "linger.ms": 0})
        job = subprocess.Popen([velo, "run", sql, "--quiet", "--cores", str(cores)], stderr=subprocess.PIPE,
                               text=True)
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
        cpu0 = cpu_seconds(job.pid)
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
        cpu = cpu_seconds(job.pid) - cpu0  # while the records flowed (not the group join before)
    finally:
        if job:
            job.send_signal(signal.SIGTERM)
            job.wait(timeout=30)
        dk.send_signal(signal.SIGINT)
        dk.wait(timeout=30)
    lat.sort()

    def pct(x):
        return lat[min(len(lat) - 1, int(len(lat) * x))] if lat else float("nan")

    return ("Kafka -> filter -> Kafka latency on velo-sql dev-kafka, --cores %d: %d msg/s for %.0f s (achieved %.0f "
            "msg/s), %d of %d received\n  p50 %.1f ms  p99 %.1f ms  p99.9 %.1f ms  max %.1f ms  "
            "(sink linger.ms=%d, fetch.wait.max.ms=%d, commit.interval=1s); velo-sql CPU %.2f s (%.1f us/msg)\n"
            % (cores, rate, seconds, n / sent_s, len(lat), n, pct(0.5), pct(0.99), pct(0.999), lat[-1] if lat else 0,
               LINGER_MS, FETCH_WAIT_MS, cpu, cpu / n * 1e6))


def main():
    velo = os.path.abspath(sys.argv[1])
    rate = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 5
    results = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] != "-" else None
    cores = [int(x) for x in (sys.argv[5] if len(sys.argv) > 5 else "1,2").split(",")]
    text = ""
    for n in cores:
        line = measure(velo, rate, seconds, n)
        print(line, end="", flush=True)
        text += line
    if results:
        with open(os.path.join(results, "kafka_latency.txt"), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
