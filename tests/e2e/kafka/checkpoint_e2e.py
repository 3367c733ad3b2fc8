#!/usr/bin/python3
"""Checkpoints end to end: an unbounded GROUP BY from Kafka with 'checkpoint.interval' is killed
with SIGKILL after a checkpoint, more records arrive while it is down, and a restart restores the
checkpoint's state and reads on from the checkpoint's offsets (not from the beginning): the last
value per key of the output changelog equals the counts over every record. Prints what was sent,
where the restart resumed, rows re-read, and duplicated output rows (at-least-once output).

Usage: checkpoint_e2e.py PATH/TO/velo-sql
"""
import glob
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_kafka_e2e as k  # noqa: E402  (DevKafka, produce, consume_all, fail)

NKEYS = 50


def word(i):
    """A text value per record (MAX of text and COUNT(DISTINCT) keep heap state)."""
    return "w%05d" % ((i * 7919) % 100003)


def records(start, n):
    return [(b"k%d" % (i % NKEYS), b'{"id": %d, "k": "k%d", "v": %d, "w": "%s"}' % (i, i % NKEYS, i % 7,
                                                                                   word(i).encode()), [])
            for i in range(start, start + n)]


def main(tmp):
    dk = k.DevKafka(topics="in,out", partitions=4)
    p = None
    try:
        n1, n2 = 20000, 5000
        k.produce(dk.bootstrap, "in", records(0, n1))
        with_ = ("'group.id' = 'e2e-ckpt', 'checkpoint.interval' = '200ms', 'state.dir' = 'state', "
                 "'key.field' = 'k', 'kafka.session.timeout.ms' = '6000', 'kafka.heartbeat.interval.ms' = '500', "
                 "'kafka.max.partition.fetch.bytes' = '300', 'kafka.fetch.wait.max.ms' = '50'")
        sql = """
CREATE STREAM totals AS SELECT k, COUNT(*) AS n, SUM(v) AS s, COUNT(DISTINCT v) AS d, MAX(w) AS w
FROM 'kafka://%s/in'
GROUP BY k INTO 'kafka://%s/out' WITH (%s);
""" % (dk.bootstrap, dk.bootstrap, with_)
        path = os.path.join(tmp, "q.sql")
        with open(path, "w") as f:
            f.write(sql)
        p = subprocess.Popen([k.VELO, "run", path, "--cores", "2"], cwd=tmp, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        state = os.path.join(tmp, "state", "totals")

        def newest():
            ids = [int(re.search(r"chk-(\d+)", m).group(1)) for m in glob.glob(os.path.join(state, "chk-*.manifest"))]
            return max(ids) if ids else 0

        # records keep coming while the job runs (the kill lands mid-stream, after the checkpoint)
        produced, stop = [n1], threading.Event()

        def trickle():
            pr = k.Producer({"bootstrap.servers": dk.bootstrap, "linger.ms": 5})
            while not stop.is_set() and produced[0] < n1 + 40000:
                for key, value, headers in records(produced[0], 100):
                    pr.produce("in", value, key=key)
                produced[0] += 100
                pr.poll(0)
                time.sleep(0.01)
            if pr.flush(30) != 0:
                k.fail("the trickle producer could not deliver everything")

        t = threading.Thread(target=trickle)
        t.start()
        # once output shows rows were processed, wait for the next checkpoint, then kill -9
        c = k.Consumer({"bootstrap.servers": dk.bootstrap, "group.id": "watch", "enable.auto.commit": False})
        deadline, after = time.time() + 60, None
        while time.time() < deadline:
            if p.poll() is not None:
                k.fail("velo-sql ended before it was killed: " + p.stderr.read().decode())
            if after is None:
                if sum(c.get_watermark_offsets(k.TopicPartition("out", q), timeout=5)[1] for q in range(4)) > 0:
                    after = newest()
            elif newest() > after + 1:
                break
            time.sleep(0.02)
        c.close()
        stop.set()
        t.join()
        p.send_signal(signal.SIGKILL)
        p.wait()
        p = None
        manifests = glob.glob(os.path.join(state, "chk-*.manifest"))
        if not manifests:
            k.fail("no checkpoint manifest in %s within 60 s" % state)
        print("killed velo-sql (SIGKILL) after checkpoint(s) %s, with %d records produced so far"
              % (sorted(os.path.basename(m) for m in manifests), produced[0]))
        # more input while the job is down
        k.produce(dk.bootstrap, "in", records(produced[0], n2))
        total = produced[0] + n2
        want, seen_v = {}, {}
        for i in range(total):
            key = "k%d" % (i % NKEYS)
            n, s, _, w = want.get(key, (0, 0, 0, ""))
            seen_v.setdefault(key, set()).add(i % 7)
            want[key] = (n + 1, s + i % 7, len(seen_v[key]), max(w, word(i)))
        # restart (unbounded, EMIT CHANGES, on another core count) until every key's latest row is
        # final, then SIGTERM
        err_path = os.path.join(tmp, "restart.err")
        with open(err_path, "w") as ef:
            p = subprocess.Popen([k.VELO, "run", path, "--cores", "1"], cwd=tmp, stdout=subprocess.DEVNULL,
                                 stderr=ef)
        c = k.Consumer({"bootstrap.servers": dk.bootstrap, "group.id": "watch-final", "enable.auto.commit": False})
        c.assign([k.TopicPartition("out", q, 0) for q in range(4)])
        latest, deadline = {}, time.time() + 90
        while time.time() < deadline and latest != want:
            msg = c.poll(0.2)
            if msg is not None and not msg.error():
                row = json.loads(msg.value())
                latest[row["k"]] = (row["n"], row["s"], row["d"], row["w"])
            if p.poll() is not None:
                k.fail("the restart ended early:\n" + open(err_path).read())
        c.close()
        p.send_signal(signal.SIGTERM)
        rc = p.wait(timeout=60)
        p = None
        with open(err_path) as ef:
            restart_err = ef.read()
        if rc != 0:
            k.fail("restart exited %d on SIGTERM\nstderr:\n%s" % (rc, restart_err))
        if latest != want:
            k.fail("the restart's changelog did not reach the final values within 90 s:\n" + restart_err)
        m = re.search(r"restored checkpoint (\d+) from \S+: (\d+) groups; resuming at (.*)", restart_err)
        if not m:
            k.fail("the restart did not restore a checkpoint:\n" + restart_err)
        resumed = {}
        for part in m.group(3).split(","):
            topic_part, off = part.strip().rsplit("@", 1)
            resumed[topic_part] = int(off)
        covered = sum(resumed.values())
        rr = re.search(r"totals: (\d+) rows read", restart_err)
        reread = int(rr.group(1)) if rr else -1
        print("restart restored checkpoint %s (%s groups), resuming at %s: offsets cover %d of the %d records "
              "produced before the kill; the restart read %d records (expected %d of %d in all)"
              % (m.group(1), m.group(2), m.group(3), covered, produced[0], reread, total - covered, total))
        if covered <= 0:
            k.fail("the checkpoint covers no offsets: the restart would replay from the beginning")
        if reread != total - covered:
            k.fail("the restart read %d records, not the %d after the checkpoint's offsets" % (reread, total - covered))
        # the output changelog, keyed by k: the last row per key (per partition order) is the final value
        out = k.consume_all(dk.bootstrap, "out", NKEYS, timeout=60)
        last, seen, dups = {}, set(), 0
        for msg in sorted(out, key=lambda x: (x.partition(), x.offset())):
            row = json.loads(msg.value())
            last[row["k"]] = (row["n"], row["s"], row["d"], row["w"])
            if (row["k"], row["n"]) in seen:
                dups += 1
            seen.add((row["k"], row["n"]))
        wrong = {key: (last.get(key), want[key]) for key in want if last.get(key) != want[key]}
        print("output: %d changelog rows, %d keys, %d duplicated rows (at-least-once), %d wrong final values"
              % (len(out), len(last), dups, len(wrong)))
        if wrong:
            k.fail("final values differ from an uninterrupted run's, e.g. %r" % list(wrong.items())[:5])
        kept = glob.glob(os.path.join(state, "chk-*.manifest"))
        if len(kept) > 2:
            k.fail("more than the last 2 checkpoints kept: %r" % kept)
        # a corrupted checkpoint is refused with a message naming the file (a bounded run)
        sql2 = sql.replace("WITH (", "WITH ('scan.bounded.mode' = 'latest-offset', ")
        newest_state = sorted(glob.glob(os.path.join(state, "chk-*.state")))[-1]
        with open(newest_state, "r+b") as f:
            f.seek(20)
            b = f.read(1)
            f.seek(20)
            f.write(bytes([b[0] ^ 0x55]))
        r = k.run_sql(sql2, tmp, timeout=60, expect=4, args=["--cores", "1"])
        if "corrupted" not in r.stderr or os.path.basename(newest_state) not in r.stderr:
            k.fail("a corrupted checkpoint file was not reported as such:\n" + r.stderr)
        print("corrupted checkpoint refused: " + r.stderr.strip().splitlines()[-1])
        # checkpoints need a state directory, and a source that can resume
        r = k.run_sql(sql2.replace("'state.dir' = 'state', ", ""), tmp, expect=2, args=["--cores", "1"])
        if "needs a state directory" not in r.stderr:
            k.fail("no message about the missing state directory:\n" + r.stderr)
        with open(os.path.join(tmp, "in.csv"), "w") as f:
            f.write("k,v\na,1\n")
        r = k.run_sql("SELECT k, COUNT(*) AS n FROM 'file://in.csv' GROUP BY k "
                      "WITH ('checkpoint.interval' = '1s', 'state.dir' = 'st');", tmp, expect=1, args=["--cores", "1"])
        if "cannot resume from a checkpoint" not in r.stderr:
            k.fail("no message about a file source that cannot resume:\n" + r.stderr)
    finally:
        if p is not None:
            p.kill()
        dk.stop()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: checkpoint_e2e.py VELO_SQL")
        sys.exit(2)
    k.VELO = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="velo-ckpt-e2e-") as t:
        main(t)
    print("ok")
