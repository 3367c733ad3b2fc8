#!/usr/bin/env python3
"""A table file with 'watch'='true' is reloaded when it changes, while the job runs: the stream is
fed through a named pipe (so the job stays running), the table file is replaced (a new file renamed
over it), and later stream rows see the new values; a key that is no longer in the file is deleted
(a LEFT JOIN gives NULLs for it), a new key joins. Every wait is bounded; the rows that probe for the
change are written again until it shows (no timing assumption). Closing the pipe ends the job.

usage: watched_table_file_is_reloaded.py VELO_SQL
"""
import json
import os
import select
import subprocess
import sys
import tempfile
import time

velo = sys.argv[1]


def fail(msg, p=None):
    if p:
        p.kill()
        msg += "\nstderr:\n" + p.stderr.read().decode()
    print("FAIL: " + msg)
    sys.exit(1)


with tempfile.TemporaryDirectory() as tmp:
    os.mkfifo(os.path.join(tmp, "orders.csv"))
    with open(os.path.join(tmp, "prices.csv"), "w") as f:
        f.write("sym,price\nAAA,1\nBBB,2\n")
    sql = os.path.join(tmp, "q.sql")
    with open(sql, "w") as f:
        f.write("CREATE TABLE prices (sym VARCHAR PRIMARY KEY, price BIGINT)\n"
                "  WITH ('uri' = 'file://prices.csv', 'watch' = 'true', 'watch.interval' = '100ms');\n"
                "CREATE STREAM orders (id BIGINT, sym VARCHAR) WITH ('uri' = 'file://orders.csv?format=csv&header=false');\n"
                "SELECT o.id, o.sym, p.price FROM orders o LEFT JOIN prices p ON o.sym = p.sym;\n")
    p = subprocess.Popen([velo, "run", sql, "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    w = open(os.path.join(tmp, "orders.csv"), "w")  # blocks until velo-sql opens the pipe
    rows, buf = {}, b""
    next_id = [1]

    def send(sym):
        i = next_id[0]
        next_id[0] += 1
        w.write("%d,%s\n" % (i, sym))
        w.flush()
        return i

    def wait_for(ids, deadline):
        global buf
        while not all(i in rows for i in ids) and time.time() < deadline:
            r, _, _ = select.select([p.stdout], [], [], 0.2)
            if r:
                chunk = os.read(p.stdout.fileno(), 4096)
                if not chunk:
                    break
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    o = json.loads(line)
                    rows[o["id"]] = (o["sym"], o["price"])
        return all(i in rows for i in ids)

    first = [send("AAA"), send("BBB"), send("CCC")]
    if not wait_for(first, time.time() + 20):
        fail("the first rows did not come out: %r" % rows, p)
    before = [rows[i] for i in first]
    print("before the change:", before)
    if before != [("AAA", 1), ("BBB", 2), ("CCC", None)]:
        fail("rows before the change: %r" % before, p)
    # the new version: AAA changes, BBB is gone, CCC is new; written aside, then renamed over
    with open(os.path.join(tmp, "prices.new"), "w") as f:
        f.write("sym,price\nAAA,10\nCCC,3\n")
    os.replace(os.path.join(tmp, "prices.new"), os.path.join(tmp, "prices.csv"))
    # probe until the new version shows (bounded), then check every key after it
    deadline = time.time() + 20
    while True:
        i = send("AAA")
        if not wait_for([i], deadline):
            fail("no output for the probe row %d" % i, p)
        if rows[i] == ("AAA", 10):
            break
        if rows[i] != ("AAA", 1) or time.time() > deadline:
            fail("probe row %d joined %r" % (i, rows[i]), p)
    after_ids = [send("AAA"), send("BBB"), send("CCC")]
    if not wait_for(after_ids, time.time() + 20):
        fail("the rows after the change did not come out: %r" % rows, p)
    after = [rows[i] for i in after_ids]
    print("after the change:", after)
    if after != [("AAA", 10), ("BBB", None), ("CCC", 3)]:
        fail("rows after the change: %r" % after, p)
    w.close()
    try:
        _, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        fail("velo-sql did not end when the pipe closed", p)
    if p.returncode != 0:
        print("FAIL: velo-sql exited %d: %s" % (p.returncode, err.decode()))
        sys.exit(1)
print("ok")
