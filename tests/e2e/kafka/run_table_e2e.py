#!/usr/bin/python3
"""Kafka topics read as tables (CREATE TABLE ... WITH ('uri'='kafka://...')): the real velo-sql
against `velo-sql dev-kafka`, with kcat producing keyed records and tombstones (-Z: an empty value
is NULL) and python3-confluent-kafka producing updates while the job runs.

Usage: run_table_e2e.py PATH/TO/velo-sql CASE
"""
import json
import os
import select
import subprocess
import sys
import tempfile
import time

import run_kafka_e2e as k
from run_kafka_e2e import DevKafka, fail, produce, run_sql


def kcat_produce(bootstrap, topic, lines):
    """lines: 'key|value' (an empty value is a tombstone) or a bare value (no key)."""
    keyed = [l for l in lines if "|" in l]
    bare = [l for l in lines if "|" not in l]
    for args, recs in ((["-K", "|", "-Z"], keyed), ([], bare)):
        if not recs:
            continue
        p = subprocess.run(["kcat", "-b", bootstrap, "-P", "-t", topic] + args, input="\n".join(recs) + "\n",
                           capture_output=True, text=True, timeout=30)
        if p.returncode != 0:
            fail("kcat produce failed: " + p.stderr)


def case_latest_value_per_key_tombstones_and_null_keys(tmp):
    """The table is read up to the topic's end before the stream: the latest value per key wins, a
    tombstone removes its key (LEFT JOIN: NULLs, INNER: no row), a record without a key goes to the
    dead-letter queue; the job ends with its (bounded) stream."""
    dk = DevKafka(topics="prices", partitions=2)
    try:
        kcat_produce(dk.bootstrap, "prices", ['AAA|{"price":1}', 'BBB|{"price":2}', 'AAA|{"price":10}',
                                              'CCC|{"price":3}', 'CCC|', '{"price":99}'])
        with open(os.path.join(tmp, "orders.csv"), "w") as f:
            f.write("1,AAA\n2,BBB\n3,CCC\n4,DDD\n")
        sql = """CREATE TABLE prices (sym VARCHAR PRIMARY KEY, price BIGINT) WITH ('uri' = 'kafka://%s/prices');
CREATE STREAM orders (id BIGINT, sym VARCHAR) WITH ('uri' = 'file://orders.csv?format=csv&header=false');
SELECT o.id, o.sym, p.price FROM orders o LEFT JOIN prices p ON o.sym = p.sym INTO 'file://left.jsonl';
SELECT o.id, p.sym, p.price FROM orders o JOIN prices p ON o.sym = p.sym INTO 'file://inner.jsonl';
""" % dk.bootstrap
        p = run_sql(sql, tmp, expect=3)
        if "a record without a key cannot be stored" not in p.stderr:
            fail("no dead-letter message for the record without a key: " + p.stderr)
        left = [json.loads(l) for l in open(os.path.join(tmp, "left.jsonl"))]
        inner = [json.loads(l) for l in open(os.path.join(tmp, "inner.jsonl"))]
        want_left = [{"id": 1, "sym": "AAA", "price": 10}, {"id": 2, "sym": "BBB", "price": 2},
                     {"id": 3, "sym": "CCC", "price": None}, {"id": 4, "sym": "DDD", "price": None}]
        want_inner = [{"id": 1, "sym": "AAA", "price": 10}, {"id": 2, "sym": "BBB", "price": 2}]
        print("left:", left)
        print("inner:", inner)
        if sorted(left, key=lambda r: r["id"]) != want_left:
            fail("LEFT JOIN rows %r" % left)
        if sorted(inner, key=lambda r: r["id"]) != want_inner:
            fail("INNER JOIN rows %r" % inner)
    finally:
        dk.stop()


def case_updates_while_running_reach_later_rows(tmp):
    """Records produced while the job runs change the table for the stream rows processed after
    them: an update, a tombstone, a new key. The stream comes through a named pipe; the probe row is
    written again until the update shows (bounded), then every key is checked."""
    dk = DevKafka(topics="prices", partitions=1)
    p = None
    try:
        produce(dk.bootstrap, "prices", [(b"AAA", b'{"price":1}', []), (b"BBB", b'{"price":2}', [])])
        os.mkfifo(os.path.join(tmp, "orders.csv"))
        sql = os.path.join(tmp, "q.sql")
        with open(sql, "w") as f:
            f.write("""CREATE TABLE prices (sym VARCHAR PRIMARY KEY, price BIGINT) WITH ('uri' = 'kafka://%s/prices');
CREATE STREAM orders (id BIGINT, sym VARCHAR) WITH ('uri' = 'file://orders.csv?format=csv&header=false');
SELECT o.id, o.sym, p.price FROM orders o LEFT JOIN prices p ON o.sym = p.sym;
""" % dk.bootstrap)
        p = subprocess.Popen([k.VELO, "run", sql, "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        w = open(os.path.join(tmp, "orders.csv"), "w")
        rows, state = {}, {"buf": b"", "next": 1}

        def send(sym):
            i = state["next"]
            state["next"] += 1
            w.write("%d,%s\n" % (i, sym))
            w.flush()
            return i

        def wait_for(ids, deadline):
            while not all(i in rows for i in ids) and time.time() < deadline:
                r, _, _ = select.select([p.stdout], [], [], 0.2)
                if r:
                    chunk = os.read(p.stdout.fileno(), 4096)
                    if not chunk:
                        break
                    state["buf"] += chunk
                    while b"\n" in state["buf"]:
                        line, state["buf"] = state["buf"].split(b"\n", 1)
                        o = json.loads(line)
                        rows[o["id"]] = (o["sym"], o["price"])
            if not all(i in rows for i in ids):
                fail("rows %r did not come out (got %r)" % (ids, rows))

        first = [send("AAA"), send("BBB"), send("CCC")]
        wait_for(first, time.time() + 30)
        before = [rows[i] for i in first]
        print("before the updates:", before)
        if before != [("AAA", 1), ("BBB", 2), ("CCC", None)]:
            fail("rows before the updates: %r" % before)
        # one partition: the tombstone of AAA and the new CCC come before BBB's update
        produce(dk.bootstrap, "prices", [(b"AAA", None, []), (b"CCC", b'{"price":3}', []),
                                         (b"BBB", b'{"price":20}', [])])
        deadline = time.time() + 30
        while True:
            i = send("BBB")
            wait_for([i], deadline)
            if rows[i] == ("BBB", 20):
                break
            if rows[i] != ("BBB", 2) or time.time() > deadline:
                fail("probe row %d joined %r" % (i, rows[i]))
        after_ids = [send("AAA"), send("BBB"), send("CCC")]
        wait_for(after_ids, time.time() + 30)
        after = [rows[i] for i in after_ids]
        print("after the updates:", after)
        if after != [("AAA", None), ("BBB", 20), ("CCC", 3)]:
            fail("rows after the updates: %r" % after)
        w.close()
        _, err = p.communicate(timeout=30)
        if p.returncode != 0:
            fail("velo-sql exited %d: %s" % (p.returncode, err.decode()))
        p = None
    finally:
        if p:
            p.kill()
            print("velo-sql stderr:\n" + p.stderr.read().decode())
        dk.stop()


def case_table_as_select_into_a_topic_feeds_a_later_join(tmp):
    """CREATE TABLE ... AS SELECT ... GROUP BY over a Kafka stream writes its upsert changelog to a
    topic keyed by the GROUP BY column ('key.field'); a table declared over that topic is the
    latest aggregate per key, and a later query joins it."""
    dk = DevKafka(topics="trades,totals", partitions=2)
    try:
        produce(dk.bootstrap, "trades", [(None, b'{"sym":"AAA","qty":1}', []), (None, b'{"sym":"BBB","qty":2}', []),
                                         (None, b'{"sym":"AAA","qty":5}', [])])
        with open(os.path.join(tmp, "orders.csv"), "w") as f:
            f.write("1,AAA\n2,BBB\n3,CCC\n")
        sql = """CREATE TABLE totals AS SELECT sym, SUM(qty) AS qty FROM 'kafka://{b}/trades' GROUP BY sym
  INTO 'kafka://{b}/totals' WITH ('key.field' = 'sym', 'scan.bounded.mode' = 'latest-offset');
CREATE TABLE totals_t (sym VARCHAR PRIMARY KEY, qty BIGINT) WITH ('uri' = 'kafka://{b}/totals');
CREATE STREAM orders (id BIGINT, sym VARCHAR) WITH ('uri' = 'file://orders.csv?format=csv&header=false');
SELECT o.id, o.sym, t.qty FROM orders o LEFT JOIN totals_t t ON o.sym = t.sym INTO 'file://out.jsonl';
""".format(b=dk.bootstrap)
        run_sql(sql, tmp)
        got = sorted((json.loads(l) for l in open(os.path.join(tmp, "out.jsonl"))), key=lambda r: r["id"])
        print("joined:", got)
        if got != [{"id": 1, "sym": "AAA", "qty": 6}, {"id": 2, "sym": "BBB", "qty": 2},
                   {"id": 3, "sym": "CCC", "qty": None}]:
            fail("rows %r" % got)
    finally:
        dk.stop()


def case_typed_keys_csv_values_and_a_key_column_named_key(tmp):
    """The message key is converted to the PRIMARY KEY's type (BIGINT here; a key that is not a
    number goes to the dead-letter queue), a CSV value holds the other columns in declared order,
    and a key column may be declared as `_key`."""
    dk = DevKafka(topics="venues,flags", partitions=1)
    try:
        kcat_produce(dk.bootstrap, "venues", ["7|10.5,NYSE", "8|2.25,LSE", "7|11.75,NYSE", "x7|1.00,BAD"])
        kcat_produce(dk.bootstrap, "flags", ['AAA|{"on":true}'])
        with open(os.path.join(tmp, "orders.csv"), "w") as f:
            f.write("1,7\n2,8\n3,9\n")
        sql = """CREATE TABLE venues (id BIGINT PRIMARY KEY, price DECIMAL(8,2), venue VARCHAR)
  WITH ('uri' = 'kafka://{b}/venues', 'format' = 'csv');
CREATE TABLE flags (_key VARCHAR PRIMARY KEY, "on" BOOLEAN) WITH ('uri' = 'kafka://{b}/flags');
CREATE STREAM orders (n BIGINT, id BIGINT) WITH ('uri' = 'file://orders.csv?format=csv&header=false');
SELECT o.n, v.price, v.venue, f."on" AS flag FROM orders o LEFT JOIN venues v ON o.id = v.id
  LEFT JOIN flags f ON f._key = 'AAA' INTO 'file://out.jsonl';
""".format(b=dk.bootstrap)
        p = run_sql(sql, tmp, expect=3)
        if "not a valid value for the PRIMARY KEY" not in p.stderr:
            fail("no dead-letter message for the key 'x7': " + p.stderr)
        got = sorted((json.loads(l) for l in open(os.path.join(tmp, "out.jsonl"))), key=lambda r: r["n"])
        print("joined:", got)
        if got != [{"n": 1, "price": 11.75, "venue": "NYSE", "flag": True},
                   {"n": 2, "price": 2.25, "venue": "LSE", "flag": True},
                   {"n": 3, "price": None, "venue": None, "flag": True}]:
            fail("rows %r" % got)
    finally:
        dk.stop()


CASES = {n[5:]: f for n, f in globals().items() if n.startswith("case_")}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[2] not in CASES:
        print("usage: run_table_e2e.py VELO_SQL CASE\ncases: " + " ".join(sorted(CASES)))
        sys.exit(2)
    k.VELO = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="velo-kafka-table-e2e-") as tmp:
        CASES[sys.argv[2]](tmp)
    print("ok")
