#!/usr/bin/python3
"""Kafka end-to-end tests: the real velo-sql against `velo-sql dev-kafka` (librdkafka's mock
cluster speaking the Kafka protocol), with real clients on the other side: kcat and
python3-confluent-kafka produce the input and consume velo-sql's output.

Each case starts its own dev-kafka and prints what it sent, received, found missing and
duplicated. Run with Debian's /usr/bin/python3 (python3-confluent-kafka).

Usage: run_kafka_e2e.py PATH/TO/velo-sql CASE
"""
import json
import re
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from confluent_kafka import Consumer, Producer, TopicPartition

VELO = None


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


class DevKafka:
    """`velo-sql dev-kafka` in the background; .bootstrap is what it printed."""

    def __init__(self, port=0, topics="", partitions=4):
        args = [VELO, "dev-kafka", "--port", str(port), "--partitions", str(partitions)]
        if topics:
            args += ["--topics", topics]
        self.p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.bootstrap = self.p.stdout.readline().strip()
        if not self.bootstrap:
            fail("dev-kafka printed no bootstrap address: " + self.p.stderr.read())

    def stop(self):
        self.p.send_signal(signal.SIGINT)
        try:
            rc = self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            fail("dev-kafka did not stop on SIGINT")
        if rc != 0:
            fail("dev-kafka exited %d on SIGINT" % rc)


def murmur2(data):
    """Kafka's murmur2 (the Java client's default partitioner for keyed records)."""
    m, r = 0x5BD1E995, 24
    h = (0x9747B28C ^ len(data)) & 0xFFFFFFFF
    n4 = len(data) // 4
    for i in range(n4):
        k = int.from_bytes(data[4 * i : 4 * i + 4], "little")
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> r
        k = (k * m) & 0xFFFFFFFF
        h = (h * m) & 0xFFFFFFFF
        h ^= k
    tail = data[4 * n4 :]
    if len(tail) >= 3:
        h ^= tail[2] << 16
    if len(tail) >= 2:
        h ^= tail[1] << 8
    if len(tail) >= 1:
        h ^= tail[0]
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return h


def java_partition(key, n):
    return (murmur2(key) & 0x7FFFFFFF) % n


def produce(bootstrap, topic, records):
    """records: (key bytes|None, value bytes, headers list) tuples, produced with confluent-kafka."""
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    for key, value, headers in records:
        p.produce(topic, value, key=key, headers=headers)
        p.poll(0)
    if p.flush(30) != 0:
        fail("python producer could not deliver everything")


def consume_all(bootstrap, topic, expect_at_least, timeout=30):
    """Every message of the topic from the start (python-confluent-kafka, no group commits)."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "verify-" + topic, "enable.auto.commit": False,
                  "enable.partition.eof": True, "auto.offset.reset": "earliest"})
    md = c.list_topics(topic, timeout=10).topics[topic]
    c.assign([TopicPartition(topic, p, 0) for p in md.partitions])
    out, eofs, deadline = [], set(), time.time() + timeout
    while time.time() < deadline:
        m = c.poll(0.2)
        if m is None:
            continue
        if m.error():
            if m.error().code() == -191:  # _PARTITION_EOF
                eofs.add(m.partition())
                if len(eofs) == len(md.partitions) and len(out) >= expect_at_least:
                    break
            continue
        eofs.discard(m.partition())
        out.append(m)
    c.close()
    return out


def kcat_consume(bootstrap, topic):
    """Every message of the topic as kcat -J sees it (a list of dicts)."""
    p = subprocess.run(["kcat", "-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-J", "-q"],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        fail("kcat failed: " + p.stderr)
    return [json.loads(line) for line in p.stdout.splitlines() if line.strip()]


def run_sql(sql, cwd, timeout=60, expect=0, args=()):
    path = os.path.join(cwd, "q.sql")
    with open(path, "w") as f:
        f.write(sql)
    p = subprocess.run([VELO, "run", path] + list(args), cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if p.returncode != expect:
        fail("velo-sql exited %d (expected %d)\nstdout:\n%s\nstderr:\n%s" % (p.returncode, expect, p.stdout, p.stderr))
    return p


def report(name, sent, received_keys, expected_keys):
    got = {}
    for k in received_keys:
        got[k] = got.get(k, 0) + 1
    missing = [k for k in expected_keys if k not in got]
    dup = sum(v - 1 for v in got.values() if v > 1)
    print("%s: sent %d, received %d, missing %d, duplicated %d" % (name, sent, len(received_keys), len(missing), dup))
    return missing, dup


# ---------------------------------------------------------------------------------------- cases


def sigterm_and_wait(p):
    """Stops a running velo-sql with SIGTERM; fails unless it exits 0 (graceful shutdown)."""
    p.send_signal(signal.SIGTERM)
    rc = p.wait(timeout=30)
    if rc != 0:
        fail("velo-sql exited %d on SIGTERM: %s" % (rc, p.stderr.read().decode()))


def start_and_read_windows(dk, tmp, sql, args, group, want):
    """Starts `sql` (an unbounded job writing to topic 'out') and reads 'out' until `want` rows came
    (40 s at most); fails if velo-sql ends first. Returns the running process, the consumer and the rows."""
    path = os.path.join(tmp, "q.sql")
    with open(path, "w") as f:
        f.write(sql)
    p = subprocess.Popen([VELO, "run", path] + args, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    c = Consumer({"bootstrap.servers": dk.bootstrap, "group.id": group, "enable.auto.commit": False,
                  "auto.offset.reset": "earliest"})
    c.subscribe(["out"])
    got, deadline = [], time.time() + 40
    while time.time() < deadline and len(got) < want:
        m = c.poll(0.2)
        if m is not None and not m.error():
            got.append(json.loads(m.value()))
        if p.poll() is not None:
            fail("velo-sql ended before its windows closed: " + p.stderr.read().decode())
    return p, c, got


def case_kafka_to_kafka_python_in_kcat_out(tmp):
    """Python produces keyed JSON trades with headers and one malformed record; velo-sql filters
    them Kafka -> Kafka with key.field; kcat reads the output: right rows, keys on the partitions
    a Java producer would choose (murmur2), the malformed record on the dead-letter topic with
    headers naming error, topic, partition and offset."""
    dk = DevKafka(topics="trades,big,dlq", partitions=4)
    try:
        recs = []
        for i in range(1000):
            v = '{"id": %d, "symbol": "SYM%d", "price": %d.25, "qty": %d}' % (i, i % 37, i % 100, i % 10)
            recs.append((b"SYM%d" % (i % 37), v.encode(), [("trace", b"t%d" % i)]))
        recs.insert(500, (b"bad", b"{not json", [("trace", b"bad")]))
        produce(dk.bootstrap, "trades", recs)
        sql = """
CREATE STREAM big AS
SELECT id, symbol, price * qty AS notional, HEADER('trace') AS trace, _partition AS src_partition
FROM 'kafka://%s/trades'
WHERE qty >= 5
INTO 'kafka://%s/big'
WITH ('scan.bounded.mode' = 'latest-offset', 'group.id' = 'e2e-k2k', 'key.field' = 'symbol',
      'dlq.topic' = 'dlq', 'headers.fields' = 'trace');
""" % (dk.bootstrap, dk.bootstrap)
        p = run_sql(sql, tmp, expect=3)  # 3: finished, one record rejected
        if "1001 rows read, 500 written, 1 rejected" not in p.stderr:
            fail("summary: " + p.stderr)
        out = kcat_consume(dk.bootstrap, "big")
        ids = []
        for m in out:
            v = json.loads(m["payload"])
            if m["key"] != v["symbol"]:
                fail("key %r is not the symbol %r" % (m["key"], v["symbol"]))
            if m["partition"] != java_partition(m["key"].encode(), 4):
                fail("key %r on partition %d, a Java producer would use %d"
                     % (m["key"], m["partition"], java_partition(m["key"].encode(), 4)))
            if v["trace"] != "t%d" % v["id"]:
                fail("HEADER('trace') = %r for id %d" % (v["trace"], v["id"]))
            if m.get("headers") != ["trace", v["trace"]]:
                fail("'headers.fields' = 'trace': message headers %r" % m.get("headers"))
            ids.append(v["id"])
        missing, dup = report("kafka->kafka", 1000, ids, [i for i in range(1000) if i % 10 >= 5])
        if missing or dup or len(ids) != 500:
            fail("output differs from the input's expected result")
        dlq = consume_all(dk.bootstrap, "dlq", 1)
        if len(dlq) != 1:
            fail("dead-letter topic holds %d records, expected 1" % len(dlq))
        h = {k: v.decode() for k, v in dlq[0].headers()}
        if dlq[0].value() != b"{not json" or h.get("velo.source.topic") != "trades" or "velo.error" not in h \
                or "velo.source.partition" not in h or "velo.source.offset" not in h:
            fail("dead-letter record: %r %r" % (dlq[0].value(), h))
        print("dead-letter record headers:", h)
    finally:
        dk.stop()


def case_kafka_to_file_kcat_in(tmp):
    """kcat produces JSON with keys and headers on a fixed bootstrap port (the relay); velo-sql
    writes a file with payload columns, metadata columns and header functions."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    dk = DevKafka(port=port, topics="orders", partitions=1)
    try:
        if dk.bootstrap != "127.0.0.1:%d" % port:
            fail("dev-kafka printed %r, expected 127.0.0.1:%d" % (dk.bootstrap, port))
        lines = ['o%d|{"order_id": %d, "amount": %d.50, "customer": "c%d"}' % (i, i, i * 10, i % 3) for i in range(1, 6)]
        p = subprocess.run(["kcat", "-b", dk.bootstrap, "-P", "-t", "orders", "-K", "|", "-H", "region=eu",
                            "-H", "source=kcat"], input="\n".join(lines) + "\n", text=True, capture_output=True,
                           timeout=30)
        if p.returncode != 0:
            fail("kcat produce: " + p.stderr)
        sql = """
CREATE STREAM orders (order_id BIGINT, amount DECIMAL(10,2), customer VARCHAR)
  WITH ('uri' = 'kafka://%s/orders', 'scan.bounded.mode' = 'latest-offset', 'group.id' = 'e2e-file');
CREATE STREAM report AS
SELECT order_id, amount, customer, _key AS k, _topic AS t, _partition AS p, _offset AS o,
       HEADER('region') AS region, HAS_HEADER('source') AS has_source, HAS_HEADER('nope') AS has_nope,
       HEADER_KEYS() AS header_keys
FROM orders
WHERE amount > 15
INTO 'file://out.jsonl';
""" % dk.bootstrap
        run_sql(sql, tmp)
        got = open(os.path.join(tmp, "out.jsonl")).read()
        want = "".join(
            '{"order_id":%d,"amount":%d.50,"customer":"c%d","k":"o%d","t":"orders","p":0,"o":%d,"region":"eu",'
            '"has_source":true,"has_nope":false,"header_keys":["region","source"]}\n' % (i, i * 10, i % 3, i, i - 1)
            for i in range(2, 6))
        if got != want:
            fail("out.jsonl:\n%s\nexpected:\n%s" % (got, want))
        print("kafka->file: sent 5, written 4 (amount > 15), metadata and headers as expected")
    finally:
        dk.stop()


def case_at_least_once_kill9_restart(tmp):
    """kill -9 of velo-sql in the middle of a Kafka -> Kafka run, then a restart with the same
    consumer group: no input record is missing from the output (duplicates are counted)."""
    dk = DevKafka(topics="in,out", partitions=4)
    try:
        n = 20000
        produce(dk.bootstrap, "in",
                [(b"k%d" % (i % 50), b'{"id": %d, "v": %d}' % (i, i % 7), []) for i in range(n)])
        common = ("'group.id' = 'e2e-alo', 'commit.interval' = '300ms', 'kafka.session.timeout.ms' = '6000', "
                  "'kafka.heartbeat.interval.ms' = '500'")
        sql = """
CREATE STREAM copy AS SELECT id, v FROM 'kafka://%s/in' INTO 'kafka://%s/out' WITH (%s,
  'kafka.max.partition.fetch.bytes' = '5000', 'kafka.fetch.wait.max.ms' = '50');
""" % (dk.bootstrap, dk.bootstrap, common)
        path = os.path.join(tmp, "q.sql")
        with open(path, "w") as f:
            f.write(sql)
        p = subprocess.Popen([VELO, "run", path], cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # kill -9 once some output exists but before everything is through
        c = Consumer({"bootstrap.servers": dk.bootstrap, "group.id": "watch", "enable.auto.commit": False})
        deadline, killed_at = time.time() + 60, 0
        while time.time() < deadline:
            total = 0
            for part in range(4):
                lo, hi = c.get_watermark_offsets(TopicPartition("out", part), timeout=5)
                total += hi
            if total >= 7000:
                killed_at = total
                break
            if p.poll() is not None:
                fail("velo-sql ended before it was killed: " + p.stderr.read().decode())
            time.sleep(0.05)
        c.close()
        p.send_signal(signal.SIGKILL)
        p.wait()
        if not killed_at:
            fail("no output within 60 s")
        print("killed velo-sql (SIGKILL) with %d records in the output topic" % killed_at)
        sql2 = sql.replace("WITH (", "WITH ('scan.bounded.mode' = 'latest-offset', ")
        run_sql(sql2, tmp, timeout=120)
        out = consume_all(dk.bootstrap, "out", n, timeout=60)
        ids = [json.loads(m.value())["id"] for m in out]
        missing, dup = report("at-least-once kill -9 + restart", n, ids, range(n))
        if missing:
            fail("%d input records missing from the output, e.g. %r" % (len(missing), missing[:10]))
        if len(ids) == n:
            print("(no duplicates: the kill came right after a commit)")
    finally:
        dk.stop()


def case_idle_timeout_closes_windows_of_a_quiet_topic(tmp):
    """An unbounded Kafka source that goes quiet: with 'idle.timeout' event time advances with the
    wall clock once no record came for that long, so the last window is emitted while the job still
    runs (without it, it would wait for a record that never comes). SIGTERM then ends the job."""
    dk = DevKafka(topics="in,out", partitions=2)
    p = None
    try:
        base = 1767225600000  # 2026-01-01T00:00:00Z in epoch ms
        produce(dk.bootstrap, "in",
                [(b"k%d" % i, b'{"sym": "S%d", "ts": %d}' % (i % 2, base + i * 1000), []) for i in range(6)])
        sql = """
CREATE STREAM counts AS
SELECT sym, window_start, COUNT(*) AS n FROM 'kafka://%s/in'
GROUP BY sym WINDOW TUMBLING(10s)
INTO 'kafka://%s/out'
WITH ('group.id' = 'e2e-idle', 'event.time.field' = 'ts', 'idle.timeout' = '1s',
      'kafka.session.timeout.ms' = '6000', 'kafka.heartbeat.interval.ms' = '500');
""" % (dk.bootstrap, dk.bootstrap)
        p, c, got = start_and_read_windows(dk, tmp, sql, [], "watch-idle", 2)
        c.close()
        print("windows emitted while the job ran: %r" % got)
        if sorted((r["sym"], r["n"]) for r in got) != [("S0", 3), ("S1", 3)]:
            fail("expected one row per symbol with n=3 before the job ended, got %r" % got)
        sigterm_and_wait(p)
        p = None
    finally:
        if p is not None:
            p.kill()
        dk.stop()


def case_unreachable_broker_is_reported(tmp):
    """No broker at the address: sampling fails with a clear message naming the brokers; a running
    source with declared columns says once that it is retrying and stops cleanly on SIGTERM."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    p = run_sql("SELECT * FROM 'kafka://127.0.0.1:%d/nowhere' WITH ('schema.sample.timeout.ms' = '1500');" % port,
                tmp, expect=2)
    if "cannot read the partitions of topic 'nowhere' from 127.0.0.1:%d" % port not in p.stderr \
            or "velo-sql dev-kafka" not in p.stderr:
        fail("sampling error text: " + p.stderr)
    path = os.path.join(tmp, "q2.sql")
    with open(path, "w") as f:
        f.write("CREATE STREAM s (id BIGINT) WITH ('uri' = 'kafka://127.0.0.1:%d/nowhere');\nSELECT id FROM s;\n" % port)
    r = subprocess.Popen([VELO, "run", path], cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(4)
    r.send_signal(signal.SIGTERM)
    out, err = r.communicate(timeout=30)
    if r.returncode != 0:
        fail("exit %d after SIGTERM: %s" % (r.returncode, err))
    if "kafka source" not in err or "retrying" not in err or "127.0.0.1:%d" % port not in err:
        fail("no clear broker error while running: " + err)
    print("unreachable broker reported:", [l for l in err.splitlines() if "kafka source" in l][0])


def case_velo_cli_kafka_topics_and_lag(tmp):
    """velo-cli kafka topics lists message counts; lag shows what a bounded run left unread."""
    dk = DevKafka(topics="t1", partitions=2)
    try:
        cli = os.path.join(os.path.dirname(VELO), "velo-cli")
        produce(dk.bootstrap, "t1", [(b"k%d" % i, b'{"x": %d}' % i, []) for i in range(10)])
        run_sql("SELECT x FROM 'kafka://%s/t1' WITH ('scan.bounded.mode' = 'latest-offset', 'group.id' = 'g');"
                % dk.bootstrap, tmp)
        produce(dk.bootstrap, "t1", [(b"k%d" % i, b'{"x": %d}' % i, []) for i in range(10, 15)])
        t = subprocess.run([cli, "kafka", "topics", "--kafka-brokers", dk.bootstrap], capture_output=True, text=True)
        row = [l.split() for l in t.stdout.splitlines() if l.startswith("t1 ")]
        if t.returncode != 0 or row != [["t1", "2", "15"]]:
            fail("velo-cli kafka topics: %d %s %s" % (t.returncode, t.stdout, t.stderr))
        lag = subprocess.run([cli, "kafka", "lag", "--kafka-brokers", dk.bootstrap, "--group", "g"],
                             capture_output=True, text=True)
        if lag.returncode != 0 or "total lag of group 'g': 5" not in lag.stdout:
            fail("velo-cli kafka lag: %d %s %s" % (lag.returncode, lag.stdout, lag.stderr))
        print(t.stdout + lag.stdout)
    finally:
        dk.stop()


def case_rebalance_shares_partitions_without_loss(tmp):
    """Two velo-sql runs of one job in one consumer group: the second join rebalances the
    partitions (revoke, assign) while records flow; every record reaches the output, both runs
    read some, duplicates are counted."""
    dk = DevKafka(topics="in,out", partitions=4)
    procs = []
    try:
        sql = """CREATE STREAM copy AS SELECT id FROM 'kafka://%s/in' INTO 'kafka://%s/out'
WITH ('group.id' = 'e2e-rebalance', 'commit.interval' = '200ms', 'kafka.session.timeout.ms' = '6000',
      'kafka.heartbeat.interval.ms' = '500');
""" % (dk.bootstrap, dk.bootstrap)
        path = os.path.join(tmp, "q.sql")
        with open(path, "w") as f:
            f.write(sql)

        def out_ids():
            return [json.loads(m.value())["id"] for m in consume_all(dk.bootstrap, "out", 0, timeout=20)]

        def wait_for(n):
            deadline = time.time() + 90
            while time.time() < deadline:
                ids = out_ids()
                if len(set(ids)) >= n:
                    return ids
                time.sleep(0.5)
            fail("only %d of %d records reached the output" % (len(set(out_ids())), n))

        produce(dk.bootstrap, "in", [(b"k%d" % i, b'{"id": %d}' % i, []) for i in range(0, 3000)])
        procs.append(subprocess.Popen([VELO, "run", path], cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True))
        wait_for(3000)
        procs.append(subprocess.Popen([VELO, "run", path], cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True))
        for start in range(3000, 9000, 1000):  # records keep coming while the group rebalances
            produce(dk.bootstrap, "in", [(b"k%d" % i, b'{"id": %d}' % i, []) for i in range(start, start + 1000)])
            time.sleep(1)
        ids = wait_for(9000)
        reads = []
        for p in procs:
            p.send_signal(signal.SIGTERM)
            _, err = p.communicate(timeout=30)
            if p.returncode != 0:
                fail("velo-sql exited %d: %s" % (p.returncode, err))
            line = [l for l in err.splitlines() if "rows read" in l]
            reads.append(int(line[-1].split(": ")[-1].split()[0]) if line else 0)
        procs = []
        missing, dup = report("rebalance between two runs", 9000, out_ids(), range(9000))
        print("records read by each run:", reads)
        if missing:
            fail("records lost in the rebalance")
        if min(reads) == 0:
            fail("the second run never got a partition")
    finally:
        for p in procs:
            p.kill()
        dk.stop()


def case_exactly_once_kafka_to_kafka_and_rerun(tmp):
    """'processing.guarantee'='exactly_once': a read_committed python consumer sees every input
    record once; the group's offsets moved with the transaction, so a second run adds nothing.
    (Aborts and replays are proven in unit_test_kafka: the mock cluster does not hide aborted
    records from read_committed consumers.)"""
    dk = DevKafka(topics="in,out", partitions=3)
    try:
        n = 5000
        produce(dk.bootstrap, "in", [(b"k%d" % i, b'{"id": %d}' % i, []) for i in range(n)])
        sql = """CREATE STREAM c AS SELECT id FROM 'kafka://%s/in' INTO 'kafka://%s/out'
WITH ('scan.bounded.mode' = 'latest-offset', 'group.id' = 'e2e-eos', 'processing.guarantee' = 'exactly_once',
      'commit.interval' = '100ms', 'kafka.session.timeout.ms' = '6000');
""" % (dk.bootstrap, dk.bootstrap)
        run_sql(sql, tmp)
        p = run_sql(sql, tmp)
        if "0 rows read, 0 written" not in p.stderr:
            fail("the second run read again: " + p.stderr)
        c = Consumer({"bootstrap.servers": dk.bootstrap, "group.id": "verify-eos", "isolation.level": "read_committed",
                      "enable.auto.commit": False, "enable.partition.eof": True})
        c.assign([TopicPartition("out", part, 0) for part in range(3)])
        ids, eofs, deadline = [], set(), time.time() + 30
        while len(eofs) < 3 and time.time() < deadline:
            m = c.poll(0.2)
            if m is None:
                continue
            if m.error():
                eofs.add(m.partition())
                continue
            ids.append(json.loads(m.value())["id"])
        c.close()
        missing, dup = report("exactly-once, two runs", n, ids, range(n))
        if missing or dup:
            fail("exactly-once output differs from the input")
    finally:
        dk.stop()


def case_several_topics_and_a_pattern(tmp):
    """A source reads a topic list (columns sampled from both) or a regex subscription."""
    dk = DevKafka(topics="orders-eu,orders-us,other", partitions=1)
    try:
        for i, t in enumerate(["orders-eu", "orders-us", "other"]):
            produce(dk.bootstrap, t, [(None, b'{"id": %d}' % (i + 1), [])])
        sql = """CREATE STREAM s (id BIGINT) WITH ('uri' = 'kafka://%s/^orders-.*', 'scan.bounded.mode' = 'latest-offset');
CREATE STREAM a AS SELECT id, _topic AS t FROM s INTO 'file://pattern.jsonl';
CREATE STREAM b AS SELECT id, _topic AS t FROM 'kafka://%s/orders-eu,other' INTO 'file://list.jsonl'
  WITH ('scan.bounded.mode' = 'latest-offset');
""" % (dk.bootstrap, dk.bootstrap)
        run_sql(sql, tmp)
        got = {f: sorted(open(os.path.join(tmp, f)).read().splitlines()) for f in ("pattern.jsonl", "list.jsonl")}
        want = {"pattern.jsonl": ['{"id":1,"t":"orders-eu"}', '{"id":2,"t":"orders-us"}'],
                "list.jsonl": ['{"id":1,"t":"orders-eu"}', '{"id":3,"t":"other"}']}
        if got != want:
            fail("got %r, expected %r" % (got, want))
        print("pattern ^orders-.* read", got["pattern.jsonl"], "; list orders-eu,other read", got["list.jsonl"])
    finally:
        dk.stop()


def case_raw_format_in_and_out(tmp):
    """format=raw: the value as one VARCHAR column `value` (invalid UTF-8 to the dead-letter
    queue), and a raw sink writing one column's text as the message value."""
    dk = DevKafka(topics="logs,upper", partitions=1)
    try:
        produce(dk.bootstrap, "logs", [(None, b"hello world", []), (None, b"\xff\xfe bad", []), (None, b"bye", [])])
        sql = """CREATE STREAM up AS SELECT UPPER(value) AS line FROM 'kafka://%s/logs?format=raw'
INTO 'kafka://%s/upper?format=raw' WITH ('scan.bounded.mode' = 'latest-offset');
""" % (dk.bootstrap, dk.bootstrap)
        p = run_sql(sql, tmp, expect=3)
        if "invalid UTF-8 for VARCHAR column 'value'" not in p.stderr:
            fail("no dead-letter message: " + p.stderr)
        got = [m["payload"] for m in kcat_consume(dk.bootstrap, "upper")]
        if got != ["HELLO WORLD", "BYE"]:
            fail("raw output %r" % got)
        print("raw in, raw out:", got)
    finally:
        dk.stop()


def case_stream_stream_join_from_two_topics_equals_files(tmp):
    """Two topics (trades, quotes) joined stream-stream with a time bound, as WITHIN and as a
    BETWEEN on both event times, with watermarks and out-of-order rows (within the 5 s delay): the
    rows out are those of the same query over the same records in files, whatever the interleaving
    of the two topics' batches."""
    import datetime
    import random
    dk = DevKafka(topics="trades,quotes", partitions=1)
    try:
        rnd = random.Random(6)
        base = datetime.datetime(2026, 1, 5, 9, 0, 0, tzinfo=datetime.timezone.utc)

        def iso(ms):
            return (base + datetime.timedelta(milliseconds=ms)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

        syms = ["AAA", "BBB", "CCC", "DDD"]
        trades = [b'{"id": %d, "sym": "%s", "ts": "%s"}' % (i, rnd.choice(syms).encode(),
                                                             iso(i * 1000 + rnd.randint(-3000, 3000)).encode())
                  for i in range(300)]
        quotes = [b'{"qid": %d, "sym": "%s", "px": %d.%02d, "qts": "%s"}' % (
            i, rnd.choice(syms).encode(), rnd.randint(1, 99), rnd.randint(0, 99),
            iso(i * 1000 + 400 + rnd.randint(-3000, 3000)).encode()) for i in range(300)]
        produce(dk.bootstrap, "trades", [(None, v, []) for v in trades])
        produce(dk.bootstrap, "quotes", [(None, v, []) for v in quotes])
        for name, rows in (("trades.jsonl", trades), ("quotes.jsonl", quotes)):
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(b"".join(v + b"\n" for v in rows))
        queries = {
            "within": "SELECT t.id, q.qid FROM trades t LEFT JOIN quotes q ON t.sym = q.sym "
                      "WITHIN INTERVAL '2' SECOND",
            "between": "SELECT t.id, q.qid, q.px FROM trades t FULL JOIN quotes q ON t.sym = q.sym "
                       "AND q.qts BETWEEN t.ts AND t.ts + INTERVAL '3' SECOND",
        }
        kafka = {"t": "kafka://%s/trades" % dk.bootstrap, "q": "kafka://%s/quotes" % dk.bootstrap,
                 "extra": ", 'scan.bounded.mode' = 'latest-offset', 'group.id' = 'e2e-join-%s'"}
        files = {"t": "file://trades.jsonl?format=jsonl", "q": "file://quotes.jsonl?format=jsonl", "extra": ""}
        for qname, query in queries.items():
            out = {}
            for src, u in (("kafka", kafka), ("files", files)):
                sql = """CREATE STREAM trades (id BIGINT, sym VARCHAR, ts TIMESTAMP)
  WITH ('uri' = '%s', 'event.time.field' = 'ts', 'watermark.delay' = '5s'%s);
CREATE STREAM quotes (qid BIGINT, sym VARCHAR, px DECIMAL(10,2), qts TIMESTAMP)
  WITH ('uri' = '%s', 'event.time.field' = 'qts', 'watermark.delay' = '5s'%s);
CREATE STREAM joined AS %s INTO 'file://%s-%s.jsonl';
""" % (u["t"], u["extra"].replace("%s", qname + "-t"), u["q"], u["extra"].replace("%s", qname + "-q"), query,
                       qname, src)
                p = run_sql(sql, tmp)
                if " late" in p.stderr:
                    fail("%s over %s dropped late rows: %s" % (qname, src, p.stderr))
                out[src] = sorted(open(os.path.join(tmp, "%s-%s.jsonl" % (qname, src))).read().splitlines())
            if out["kafka"] != out["files"]:
                fail("%s: Kafka gave %d rows, files %d; first difference: %r" % (
                    qname, len(out["kafka"]), len(out["files"]),
                    next(((a, b) for a, b in zip(out["kafka"], out["files"]) if a != b), None)))
            matched = sum('null' not in r for r in out["kafka"])
            outer = len(out["kafka"]) - matched
            if matched < 100 or outer < 10:
                fail("%s: too few rows to prove anything (%d matched, %d outer)" % (qname, matched, outer))
            print("%s join from two topics: %d rows (%d matched, %d outer with NULLs), equal to the files'" % (
                qname, len(out["kafka"]), matched, outer))
    finally:
        dk.stop()


def case_self_join_reads_every_partition_twice(tmp):
    """One declared Kafka stream read three times in one query (a self-join, whose build side is
    read before its probe side, and a UNION ALL branch read beside the probe side) gives the rows
    the same query gives over a file: each reader is its own consumer (group, group-r2, group-r3)
    and sees every partition. A second run reads nothing more: each reader committed its own
    group's offsets."""
    dk = DevKafka(topics="sj", partitions=4)
    try:
        n = 400
        lines = ['{"id": %d, "k": %d}' % (i, i % 7) for i in range(n)]
        produce(dk.bootstrap, "sj", [(b"%d" % i, lines[i].encode(), []) for i in range(n)])
        with open(os.path.join(tmp, "sj.jsonl"), "w") as f:
            f.write("\n".join(lines) + "\n")
        query = """CREATE STREAM s (id BIGINT, k BIGINT) WITH ('uri' = '%s'%s);
SELECT a.id AS x, b.id AS y FROM s a JOIN s b ON a.k = b.k WHERE a.id < 40 AND b.id %% 5 = 0
UNION ALL SELECT id AS x, -1 AS y FROM s
INTO 'file://%s';
"""
        bounded = (", 'scan.bounded.mode' = 'latest-offset', 'group.id' = 'e2e-self', "
                   "'kafka.session.timeout.ms' = '6000', 'kafka.heartbeat.interval.ms' = '500'")
        run_sql(query % ("kafka://%s/sj" % dk.bootstrap, bounded, "kafka.csv"), tmp)
        run_sql(query % ("file://sj.jsonl", "", "file.csv"), tmp)
        got = sorted(open(os.path.join(tmp, "kafka.csv")).read().splitlines())
        want = sorted(open(os.path.join(tmp, "file.csv")).read().splitlines())
        joined = sum(1 for r in want if not r.endswith(",-1"))
        print("self-join + union from Kafka: %d rows, from the file: %d rows (%d joined pairs)"
              % (len(got), len(want), joined))
        if got != want or len(want) < n + 1 or joined == 0:
            fail("rows from Kafka differ from the file's")
        p = run_sql(query % ("kafka://%s/sj" % dk.bootstrap, bounded, "again.csv"), tmp)
        if "0 rows read" not in p.stderr:
            fail("the second run read again (offsets not committed per reader): " + p.stderr)
    finally:
        dk.stop()


# ------------------------------------------------------------------ Kafka partitions on several cores


def keyed_records(start, n, nkeys):
    """JSON records keyed k0..k{nkeys-1}; seq counts each key's records, so per-key order is checkable."""
    return [(b"k%d" % (i % nkeys), b'{"id": %d, "k": "k%d", "seq": %d}' % (i, i % nkeys, i // nkeys), [])
            for i in range(start, start + n)]


def key_order_violations(rows):
    """rows: dicts with k and seq, in the order one reader saw them; counts a key's seq going back."""
    last, bad = {}, 0
    for r in rows:
        if r["seq"] < last.get(r["k"], -1):
            bad += 1
        last[r["k"]] = r["seq"]
    return bad


def case_cores_8_partitions_every_record_key_order_same_as_one_core(tmp):
    """An 8-partition topic through velo-sql at --cores 1, 2 and 4 (and 2 with --busy-poll, where cores
    poll their queues instead of being woken through their eventfd), Kafka -> Kafka (a producer per
    core) and Kafka -> file (rows gathered to core 0's sink): every record comes out once, each key's
    records keep their order, and the multiset of rows is the one of --cores 1."""
    dk = DevKafka(topics="in,o1,o2,o4,o2bp", partitions=8)
    try:
        n = 16000
        produce(dk.bootstrap, "in", keyed_records(0, n, 200))
        results = {}
        for cores, extra in (("1", []), ("2", []), ("4", []), ("2bp", ["--busy-poll"])):
            sql = """CREATE STREAM k2k AS SELECT id, k, seq FROM 'kafka://{b}/in' WHERE seq >= 0
INTO 'kafka://{b}/o{c}' WITH ('scan.bounded.mode' = 'latest-offset', 'group.id' = 'k2k-{c}', 'key.field' = 'k');
CREATE STREAM k2f AS SELECT id, k, seq FROM 'kafka://{b}/in' INTO 'file://out{c}.jsonl'
WITH ('scan.bounded.mode' = 'latest-offset', 'group.id' = 'k2f-{c}');
""".format(b=dk.bootstrap, c=cores)
            p = run_sql(sql, tmp, args=["--cores", cores[0]] + extra)
            if p.stderr.count("%d rows read, %d written" % (n, n)) != 2:
                fail("--cores %s: %s" % (cores, p.stderr))
            msgs = consume_all(dk.bootstrap, "o%s" % cores, n)
            by_part = {}
            for m in msgs:
                by_part.setdefault(m.partition(), []).append(json.loads(m.value()))
            k2k = [r for rows in by_part.values() for r in rows]
            k2f = [json.loads(l) for l in open(os.path.join(tmp, "out%s.jsonl" % cores))]
            for name, rows, bad in (("kafka->kafka", k2k, sum(key_order_violations(r) for r in by_part.values())),
                                    ("kafka->file", k2f, key_order_violations(k2f))):
                missing, dup = report("--cores %s %s" % (cores, name), n, [r["id"] for r in rows], range(n))
                print("  per-key order violations: %d" % bad)
                if missing or dup or bad:
                    fail("--cores %s %s: missing %d, duplicated %d, out of order %d" % (cores, name, len(missing), dup, bad))
                results[(cores, name)] = sorted(json.dumps(r, sort_keys=True) for r in rows)
        for cores in ("2", "4", "2bp"):
            for name in ("kafka->kafka", "kafka->file"):
                if results[(cores, name)] != results[("1", name)]:
                    fail("--cores %s %s: not the rows of --cores 1" % (cores, name))
        print("--cores 2, 4 and 2 --busy-poll: the same rows as --cores 1")
    finally:
        dk.stop()


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def backpressure_through_a_fifo(tmp, cores):
    """Backpressure: velo-sql --cores N writes a topic of ~20 MB into a named pipe that its reader
    opens but does not read. The source pauses its partitions (said on stderr; on several cores each
    core pauses its own, its rows gathered to core 0's sink), velo-sql's memory stays bounded
    meanwhile (RSS < 300 MiB), and once the reader reads, every partition resumes and every record
    arrives exactly once."""
    n, partitions = 120000, 16
    dk = DevKafka(topics="flood", partitions=partitions)
    try:
        pad = "x" * 150
        src = os.path.join(tmp, "flood.txt")
        with open(src, "w") as f:  # keyed (k<i>|value) so that the partitions fill evenly
            for i in range(n):
                f.write('k%d|{"id": %d, "pad": "%s"}\n' % (i, i, pad))
        p = subprocess.run(["kcat", "-b", dk.bootstrap, "-P", "-t", "flood", "-K", "|", "-l", src],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            fail("kcat -P failed: " + p.stderr)
        fifo = os.path.join(tmp, "out.fifo")
        os.mkfifo(fifo)
        rfd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader that reads nothing yet
        with open(os.path.join(tmp, "q.sql"), "w") as f:
            f.write("""SELECT id, pad FROM 'kafka://%s/flood' INTO 'file://out.fifo?format=jsonl'
WITH ('scan.bounded.mode' = 'latest-offset', 'group.id' = 'e2e-backpressure');
""" % dk.bootstrap)
        t0 = time.time()
        velo = subprocess.Popen([VELO, "run", "q.sql", "--cores", str(cores)], cwd=tmp, stderr=subprocess.PIPE,
                                text=True)
        errs = []
        reader = threading.Thread(target=lambda: [errs.append("%.2f " % (time.time() - t0) + e) for e in velo.stderr], daemon=True)
        reader.start()
        deadline, peak = time.time() + 60, 0
        def counted(what):  # partitions said paused / resumed so far, over the cores' reports
            return sum(int(m.group(1)) for e in list(errs) for m in [re.search(what, e)] if m)

        # nothing is read meanwhile, so nothing resumes: every partition paused, on whichever core
        while counted(r"(\d+) partitions paused") < partitions:
            if time.time() > deadline or velo.poll() is not None:
                velo.kill()
                fail("no pause reported while the pipe was not read: %r" % errs)
            peak = max(peak, rss_kib(velo.pid))
            time.sleep(0.1)
        for _ in range(10):  # paused: memory stays where it is
            peak = max(peak, rss_kib(velo.pid))
            time.sleep(0.1)
        print("paused while the pipe was not read: %s; peak RSS %.1f MiB"
              % ([e.strip() for e in errs if "paused" in e], peak / 1024))
        if peak >= 300 * 1024:
            fail("velo-sql's RSS reached %.1f MiB while its output was stuck" % (peak / 1024))
        os.set_blocking(rfd, True)
        ids = []
        with os.fdopen(rfd, "rb") as f:
            for line in f:
                ids.append(json.loads(line)["id"])
        rc = velo.wait(timeout=60)
        reader.join(timeout=10)
        if rc != 0:
            fail("velo-sql exited %d: %r" % (rc, errs))
        # every pause reported is resumed (a reader slower than the source may make them pause again)
        paused, resumed = counted(r"(\d+) partitions paused"), counted(r"resumed (\d+) partitions")
        if resumed != paused:
            fail("%d partitions reported paused, %d resumed: %r" % (paused, resumed, errs))
        print("".join(errs))
        missing, dup = report("backpressure through a stalled pipe, %d core(s)" % cores, n, ids, range(n))
        if missing or dup:
            fail("records lost or repeated across the pause")
    finally:
        dk.stop()


def case_backpressure_pauses_partitions_while_a_fifo_sink_is_not_read(tmp):
    backpressure_through_a_fifo(tmp, 1)


def case_backpressure_pauses_partitions_while_a_fifo_sink_is_not_read_on_two_cores(tmp):
    """The same at the default core count: core 1's rows are gathered to core 0's sink; core 0
    publishes the sink's backlog and core 1 pauses its own partitions too."""
    backpressure_through_a_fifo(tmp, 2)


def case_cores_rebalance_second_consumer_joins_without_loss(tmp):
    """velo-sql --cores 2 reading an 8-partition topic into a file (offsets committed by core 0 after
    its sink flushed); a second velo-sql --cores 2 joins the group mid-run: partitions are revoked
    and assigned while records flow, and every record reaches one of the two files."""
    dk = DevKafka(topics="in", partitions=8)
    procs = []
    try:
        paths = []
        for i in (1, 2):
            sql = """CREATE STREAM copy AS SELECT id, k, seq FROM 'kafka://%s/in' INTO 'file://out%d.jsonl'
WITH ('group.id' = 'cores-rebalance', 'commit.interval' = '200ms', 'kafka.session.timeout.ms' = '6000',
      'kafka.heartbeat.interval.ms' = '500');
""" % (dk.bootstrap, i)
            paths.append(os.path.join(tmp, "q%d.sql" % i))
            with open(paths[-1], "w") as f:
                f.write(sql)

        def out_rows():
            rows = []
            for i in (1, 2):
                path = os.path.join(tmp, "out%d.jsonl" % i)
                if os.path.exists(path):
                    rows += [json.loads(l) for l in open(path) if l.endswith("\n")]
            return rows

        got_while_running = set()

        def wait_for(n, must=True):
            deadline = time.time() + 60
            while time.time() < deadline:
                if len({r["id"] for r in out_rows()}) >= n:
                    return True
                time.sleep(0.5)
            if must:
                fail("only %d of %d records reached the output" % (len({r["id"] for r in out_rows()}), n))
            got_while_running.update(r["id"] for r in out_rows())
            return False

        def start(i):
            procs.append(subprocess.Popen([VELO, "run", paths[i], "--cores", "2"], cwd=tmp, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True))

        produce(dk.bootstrap, "in", keyed_records(0, 4000, 100))
        start(0)
        wait_for(4000)
        start(1)
        for first in range(4000, 12000, 1000):  # records keep coming while the group rebalances
            produce(dk.bootstrap, "in", keyed_records(first, 1000, 100))
            time.sleep(0.7)
        # Every record must reach the outputs while both runs live. (A "stall" seen under load was
        # the last rows read after a slow rebalance waiting in a sink buffer for input that never
        # came: the periodic commit point now also runs when no new batch came.)
        complete = wait_for(12000, must=False)
        reads, errs = [], []
        for p in procs:
            p.send_signal(signal.SIGTERM)
            _, err = p.communicate(timeout=30)
            if p.returncode != 0:
                fail("velo-sql exited %d: %s" % (p.returncode, err))
            errs.append(err)
            line = [l for l in err.splitlines() if "rows read" in l]
            reads.append(int(line[-1].split(": ")[-1].split()[0]) if line else 0)
        procs = []
        if not complete:
            fail("only %d of 12000 records reached the outputs while both runs lived (after SIGTERM: %d);"
                 " stderr of the runs: %r" % (len(got_while_running), len({r["id"] for r in out_rows()}), errs))
        missing, dup = report("rebalance between two --cores 2 runs", 12000, [r["id"] for r in out_rows()],
                              range(12000))
        print("records read by each run:", reads)
        if missing:
            fail("records lost in the rebalance")
        if min(reads) == 0:
            fail("the second run never got a partition")
    finally:
        for p in procs:
            p.kill()
        dk.stop()


def case_cores_group_by_from_kafka_same_as_one_core(tmp):
    """A keyed GROUP BY over a bounded read of an 8-partition topic: at --cores 2 (partitions on
    both cores, rows exchanged by key) the result equals --cores 1; every partition's offset is
    committed at the end (velo-cli kafka lag: 0)."""
    dk = DevKafka(topics="in", partitions=8)
    try:
        produce(dk.bootstrap, "in", keyed_records(0, 12000, 150))
        out = {}
        for cores in (1, 2):
            sql = """CREATE STREAM totals AS SELECT k, COUNT(*) AS n, SUM(seq) AS s, MAX(id) AS last_id
FROM 'kafka://%s/in' GROUP BY k INTO 'file://g%d.jsonl'
WITH ('scan.bounded.mode' = 'latest-offset', 'group.id' = 'group-by-%d');
""" % (dk.bootstrap, cores, cores)
            p = run_sql(sql, tmp, args=["--cores", str(cores)])
            if "12000 rows read, 150 written" not in p.stderr:
                fail("--cores %d: %s" % (cores, p.stderr))
            out[cores] = sorted(open(os.path.join(tmp, "g%d.jsonl" % cores)).read().splitlines())
            cli = os.path.join(os.path.dirname(VELO), "velo-cli")
            lag = subprocess.run([cli, "kafka", "lag", "--kafka-brokers", dk.bootstrap, "--group", "group-by-%d" % cores],
                                 capture_output=True, text=True)
            if lag.returncode != 0 or "total lag of group 'group-by-%d': 0" % cores not in lag.stdout:
                fail("--cores %d: offsets not all committed: %s %s" % (cores, lag.stdout, lag.stderr))
        if out[2] != out[1] or len(out[1]) != 150:
            fail("GROUP BY at --cores 2 differs from --cores 1")
        print("GROUP BY k over 12000 records: --cores 2 equals --cores 1 (150 groups); group lag 0 after each")
    finally:
        dk.stop()


def event_time_records(n, nkeys, base):
    """JSON records keyed k0..k{nkeys-1} with event times that are out of order within a partition
    (jitter of up to 1.5 s) and now and then far behind (20 s: late by 'watermark.delay' = 1s)."""
    out = []
    for i in range(n):
        jitter = ((i * 7919) % 31 - 15) * 100
        ts = base + i * 50 + jitter - (20000 if i % 97 == 13 else 0)
        out.append((b"k%d" % (i % nkeys), b'{"id": %d, "k": "k%d", "g": %d, "ts": %d}' % (i, i % nkeys, i % 3, ts), []))
    return out


def late_count(stderr, name):
    m = re.search(r"velo-sql: %s: .* (\d+) late" % name, stderr)
    return int(m.group(1)) if m else 0


def case_cores_event_time_windows_per_partition_watermarks_same_as_one_core(tmp):
    """Event-time TUMBLING and SLIDING windows with a watermark over a 4-partition topic (a bounded read):
    the source makes per-partition watermarks, so at --cores 1, 2 and 4 (partitions spread over the
    cores, windows keyed behind the exchange) the windows and the late rows are the same -- for keys
    of one partition (k) and for keys spanning partitions (g)."""
    dk = DevKafka(topics="in", partitions=4)
    try:
        n = 6000
        produce(dk.bootstrap, "in", event_time_records(n, 40, 1767225600000))
        results = {}
        for cores in ("1", "2", "4"):
            sql = """CREATE STREAM tk AS SELECT k, window_start, window_end, COUNT(*) AS n, SUM(id) AS s
FROM 'kafka://{b}/in' GROUP BY k WINDOW TUMBLING(10s) INTO 'file://tk{c}.jsonl'
WITH ('scan.bounded.mode' = 'latest-offset', 'group.id' = 'wk-{c}', 'event.time.field' = 'ts',
      'watermark.delay' = '1s', 'late.records' = 'dlq', 'dlq' = 'file://late{c}.jsonl');
CREATE STREAM sg AS SELECT g, window_start, COUNT(*) AS n, MIN(id) AS lo, MAX(id) AS hi
FROM 'kafka://{b}/in' GROUP BY g WINDOW SLIDING(10s, 5s) INTO 'file://sg{c}.jsonl'
WITH ('scan.bounded.mode' = 'latest-offset', 'group.id' = 'wg-{c}', 'event.time.field' = 'ts',
      'watermark.delay' = '1s');
""".format(b=dk.bootstrap, c=cores)
            p = run_sql(sql, tmp, args=["--cores", cores], expect=3)  # 3: late rows went to the DLQ
            results[(cores, "dlq")] = (sorted(open(os.path.join(tmp, "late%s.jsonl" % cores)).read().splitlines()), 0)
            for name in ("tk", "sg"):
                rows = sorted(open(os.path.join(tmp, "%s%s.jsonl" % (name, cores))).read().splitlines())
                late = late_count(p.stderr, name)
                print("--cores %s %s: %d window rows, %d late rows" % (cores, name, len(rows), late))
                results[(cores, name)] = (rows, late)
        for name in ("tk", "sg"):
            rows, late = results[("1", name)]
            if not rows or late == 0:
                fail("%s: expected windows and late rows at --cores 1, got %d rows, %d late" % (name, len(rows), late))
            for cores in ("2", "4"):
                if results[(cores, "dlq")] != results[("1", "dlq")]:
                    fail("--cores %s: not the late rows (dead-letter queue) of --cores 1" % cores)
                if results[(cores, name)][1] != late:
                    fail("%s --cores %s: %d late rows, --cores 1 counted %d" % (name, cores, results[(cores, name)][1], late))
                if results[(cores, name)][0] != rows:
                    fail("%s --cores %s: not the windows of --cores 1" % (name, cores))
        print("--cores 2 and 4: the same windows and late rows as --cores 1")
    finally:
        dk.stop()


def case_cores_emit_changes_per_key_in_partition_order(tmp):
    """An unwindowed GROUP BY with EMIT CHANGES over a 4-partition topic keyed by the GROUP BY key: at
    --cores 2 (the group operator keyed behind the exchange) each key's changes come in its rows'
    order (counts rising, the last id seen rising) and each key's last change equals --cores 1."""
    dk = DevKafka(topics="in", partitions=4)
    try:
        n = 8000
        produce(dk.bootstrap, "in", keyed_records(0, n, 60))
        last = {}
        for cores in ("1", "2"):
            sql = """CREATE STREAM c AS SELECT k, COUNT(*) AS n, MAX(seq) AS top, LAST_VALUE(id) AS last_id
FROM 'kafka://{b}/in' GROUP BY k EMIT CHANGES INTO 'file://c{c}.jsonl'
WITH ('scan.bounded.mode' = 'latest-offset', 'group.id' = 'ec-{c}');
""".format(b=dk.bootstrap, c=cores)
            run_sql(sql, tmp, args=["--cores", cores])
            rows = [json.loads(l) for l in open(os.path.join(tmp, "c%s.jsonl" % cores))]
            seen, bad = {}, 0
            for r in rows:
                prev = seen.get(r["k"])
                if prev and (r["n"] <= prev["n"] or r["top"] < prev["top"] or r["last_id"] <= prev["last_id"]):
                    bad += 1
                seen[r["k"]] = r
            print("--cores %s: %d changes for %d keys, %d out of order" % (cores, len(rows), len(seen), bad))
            if bad or len(seen) != 60:
                fail("--cores %s: %d changes out of their key's order, %d keys" % (cores, bad, len(seen)))
            last[cores] = sorted(json.dumps(r, sort_keys=True) for r in seen.values())
        if last["2"] != last["1"]:
            fail("--cores 2: the last change per key differs from --cores 1")
        print("--cores 2: each key's changes in order, the last ones equal to --cores 1")
    finally:
        dk.stop()


def case_cores_watermark_idle_timeout_leaves_empty_partitions_out(tmp):
    """An unbounded windowed job at --cores 2 over a 4-partition topic whose partitions 2 and 3 stay
    empty: a partition without records holds the per-partition watermark back, and with
    'watermark.idle.timeout' it is left out after that long, so the windows the written partitions'
    watermarks passed are emitted while the job runs (and the one they did not pass is not)."""
    dk = DevKafka(topics="in,out", partitions=4)
    p = None
    try:
        base = 1767225600000
        prod = Producer({"bootstrap.servers": dk.bootstrap})
        for i in range(26):  # event times 0..25 s, alternating partitions 0 and 1
            prod.produce("in", b'{"sym": "S%d", "ts": %d}' % (i % 2, base + i * 1000), partition=i % 2)
        prod.flush(30)
        sql = """
CREATE STREAM counts AS
SELECT sym, window_start, COUNT(*) AS n FROM 'kafka://%s/in'
GROUP BY sym WINDOW TUMBLING(10s)
INTO 'kafka://%s/out'
WITH ('group.id' = 'e2e-wm-idle', 'event.time.field' = 'ts', 'watermark.delay' = '0s',
      'watermark.idle.timeout' = '1s',
      'kafka.session.timeout.ms' = '6000', 'kafka.heartbeat.interval.ms' = '500');
""" % (dk.bootstrap, dk.bootstrap)
        p, c, got = start_and_read_windows(dk, tmp, sql, ["--cores", "2"], "watch-wm-idle", 4)
        # a little longer: the window [20 s, 30 s) must not come (both partitions are at 24-25 s)
        end = time.time() + 2
        while time.time() < end:
            m = c.poll(0.2)
            if m is not None and not m.error():
                got.append(json.loads(m.value()))
        c.close()
        print("windows emitted while the job ran: %r" % sorted((r["sym"], r["window_start"], r["n"]) for r in got))
        want = [("S0", "2026-01-01T00:00:00Z", 5), ("S0", "2026-01-01T00:00:10Z", 5),
                ("S1", "2026-01-01T00:00:00Z", 5), ("S1", "2026-01-01T00:00:10Z", 5)]
        if sorted((r["sym"], r["window_start"], r["n"]) for r in got) != want:
            fail("expected the windows before 20 s only, got %r" % got)
        sigterm_and_wait(p)
        p = None
    finally:
        if p is not None:
            p.kill()
        dk.stop()


def case_set_header_and_remove_header_write_the_sink_headers(tmp):
    """SET_HEADER / REMOVE_HEADER build the output's _headers MAP from the record's headers; the
    Kafka sink sends it: kcat -f '%h' reads the headers back."""
    dk = DevKafka(topics="hin,hout", partitions=1)
    try:
        lines = "".join('k%d|{"id": %d, "name": "n%d"}\n' % (i, i, i) for i in range(3))
        p = subprocess.run(["kcat", "-b", dk.bootstrap, "-P", "-t", "hin", "-K", "|", "-H", "src=sys",
                            "-H", "debug=1", "-H", "src=again"], input=lines, capture_output=True, text=True,
                           timeout=30)
        if p.returncode != 0:
            fail("kcat -P failed: " + p.stderr)
        sql = """CREATE STREAM hout AS
SELECT id, SET_HEADER('trace', id * 10, SET_HEADER('src', UPPER(name), REMOVE_HEADER('debug'))) AS _headers
FROM 'kafka://%s/hin' INTO 'kafka://%s/hout' WITH ('scan.bounded.mode' = 'latest-offset');
""" % (dk.bootstrap, dk.bootstrap)
        run_sql(sql, tmp)
        p = subprocess.run(["kcat", "-b", dk.bootstrap, "-C", "-t", "hout", "-o", "beginning", "-e", "-q",
                            "-f", "%s %h\n"], capture_output=True, text=True, timeout=60)
        got = sorted(p.stdout.splitlines())
        want = ['{"id":%d} src=N%d,trace=%d' % (i, i, i * 10) for i in range(3)]
        print("headers read back by kcat:", got)
        if got != want:
            fail("expected %r" % want)
    finally:
        dk.stop()


def case_cores_bounded_read_assigns_every_partition_without_a_group_join(tmp):
    """A bounded read of a named 8-partition topic at --cores 2 takes every partition itself, as at
    --cores 1: librdkafka's protocol log ('kafka.debug' = 'protocol') shows no JoinGroup request, but
    the committed offsets fetched (OffsetFetch) and the progress committed to the group
    (OffsetCommit). A second bounded run of the same group after more records were produced reads
    only those (the first run's commits are honoured); each run's rows equal --cores 1's."""
    dk = DevKafka(topics="in", partitions=8)
    try:
        def run(cores, group, out):
            sql = """CREATE STREAM copy AS SELECT id, k, seq FROM 'kafka://%s/in' INTO 'file://%s'
WITH ('scan.bounded.mode' = 'latest-offset', 'group.id' = '%s', 'kafka.debug' = 'protocol',
      'kafka.log_level' = '7');
""" % (dk.bootstrap, out, group)
            p = run_sql(sql, tmp, args=["--cores", str(cores)])
            sent = set(re.findall(r"Sent (\w+)Request", p.stderr))
            if "JoinGroup" in sent or "SyncGroup" in sent:
                fail("--cores %d: the bounded read joined the group: %s" % (cores, sorted(sent)))
            if "OffsetFetch" not in sent or "OffsetCommit" not in sent:
                fail("--cores %d: committed offsets not fetched or progress not committed: %s" % (cores, sorted(sent)))
            return sorted(json.dumps(json.loads(l), sort_keys=True) for l in open(os.path.join(tmp, out)))

        produce(dk.bootstrap, "in", keyed_records(0, 6000, 100))
        first = {c: run(c, "bounded-%d" % c, "a%d.jsonl" % c) for c in (1, 2)}
        produce(dk.bootstrap, "in", keyed_records(6000, 3000, 100))
        second = {c: run(c, "bounded-%d" % c, "b%d.jsonl" % c) for c in (1, 2)}
        for c in (1, 2):
            report("--cores %d first run" % c, 6000, [json.loads(r)["id"] for r in first[c]], range(6000))
            report("--cores %d second run" % c, 3000, [json.loads(r)["id"] for r in second[c]], range(6000, 9000))
        if first[1] != [json.dumps(r, sort_keys=True) for r in sorted(
                (json.loads(v) for _, v, _ in keyed_records(0, 6000, 100)), key=lambda r: json.dumps(r, sort_keys=True))]:
            fail("--cores 1: the first run did not read every record once")
        if first[2] != first[1]:
            fail("--cores 2: the first run's rows differ from --cores 1's")
        if second[2] != second[1] or {json.loads(r)["id"] for r in second[1]} != set(range(6000, 9000)) \
                or len(second[1]) != 3000:
            fail("second run: not exactly the records produced after the first (committed offsets ignored?)")
        print("--cores 2 equals --cores 1 in both runs; no JoinGroup sent; the second run resumed at the commits")
    finally:
        dk.stop()


def case_cores_last_rows_before_the_input_goes_quiet_are_flushed_and_committed(tmp):
    """An unbounded Kafka -> file read at --cores 2 ('commit.interval' 200ms) gets records one at a
    time, then nothing more: while velo-sql keeps running, every record reaches the file and every
    offset is committed (group lag 0) -- the periodic commit point also runs when no new batch came,
    so the last rows do not wait in the sink's buffer for input that never comes."""
    dk = DevKafka(topics="in", partitions=8)
    p = None
    try:
        produce(dk.bootstrap, "in", keyed_records(0, 8, 8))
        with open(os.path.join(tmp, "q.sql"), "w") as f:
            f.write("""CREATE STREAM copy AS SELECT id, k, seq FROM 'kafka://%s/in' INTO 'file://out.jsonl'
WITH ('group.id' = 'quiet', 'commit.interval' = '200ms', 'kafka.session.timeout.ms' = '6000',
      'kafka.heartbeat.interval.ms' = '500');
""" % dk.bootstrap)
        p = subprocess.Popen([VELO, "run", "q.sql", "--cores", "2"], cwd=tmp, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        out = os.path.join(tmp, "out.jsonl")

        def ids():
            return [json.loads(l)["id"] for l in open(out) if l.endswith("\n")] if os.path.exists(out) else []

        deadline = time.time() + 60
        while len(ids()) < 8:  # the group assigned the partitions and the first records came out
            if time.time() > deadline or p.poll() is not None:
                fail("the first 8 records never reached the file")
            time.sleep(0.2)
        pr = Producer({"bootstrap.servers": dk.bootstrap, "linger.ms": 0})
        for i in range(8, 68):  # a trickle: one record every 20 ms, then silence
            k, v, _ = keyed_records(i, 1, 8)[0]
            pr.produce("in", v, key=k)
            pr.flush(10)
            time.sleep(0.02)
        del pr
        cli = os.path.join(os.path.dirname(VELO), "velo-cli")
        deadline, lag = time.time() + 30, ""
        while time.time() < deadline:
            lag = subprocess.run([cli, "kafka", "lag", "--kafka-brokers", dk.bootstrap, "--group", "quiet"],
                                 capture_output=True, text=True).stdout
            if len(set(ids())) == 68 and "total lag of group 'quiet': 0" in lag:
                break
            time.sleep(0.5)
        got = ids()
        missing, dup = report("quiet input at --cores 2, while velo-sql runs", 68, got, range(68))
        if missing:
            fail("the last rows before the input went quiet did not reach the file: %s" % missing)
        if "total lag of group 'quiet': 0" not in lag:
            fail("offsets of the last rows not committed while velo-sql runs: %s" % lag)
        print("every record in the file and committed, velo-sql still running")
    finally:
        if p:
            p.send_signal(signal.SIGTERM)
            try:
                p.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        dk.stop()


CASES = {n[5:]: f for n, f in globals().items() if n.startswith("case_")}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[2] not in CASES:
        print("usage: run_kafka_e2e.py VELO_SQL CASE\ncases: " + " ".join(sorted(CASES)))
        sys.exit(2)
    VELO = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="velo-kafka-e2e-") as tmp:
        CASES[sys.argv[2]](tmp)
    print("ok")
