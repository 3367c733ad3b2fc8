#!/usr/bin/env python3
"""A named pipe is read as a stream: rows written to it reach the sink while the writer keeps the
pipe open, long before 2,048 rows would fill a batch. Three rows are written, then the test waits
(bounded) for all three on velo-sql's stdout with the writer still attached; closing the pipe then
ends the job with exit 0.

usage: pipe_rows_go_on_before_the_batch_is_full.py VELO_SQL CORES
"""
import os
import select
import subprocess
import sys
import tempfile
import time

velo, cores = sys.argv[1], sys.argv[2]
with tempfile.TemporaryDirectory() as tmp:
    fifo = os.path.join(tmp, "in.csv")
    os.mkfifo(fifo)
    sql = os.path.join(tmp, "q.sql")
    with open(sql, "w") as f:
        f.write("CREATE STREAM s (id BIGINT, v BIGINT) WITH ('uri' = 'file://in.csv?format=csv&header=false');\n"
                "SELECT id, v * 2 AS v2 FROM s WHERE id > 0;\n")
    p = subprocess.Popen([velo, "run", sql, "--quiet", "--cores", cores], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    w = open(fifo, "w")  # blocks until velo-sql opens the pipe
    w.write("1,10\n2,20\n3,30\n")
    w.flush()
    got, deadline = b"", time.time() + 20
    while got.count(b"\n") < 3 and time.time() < deadline:
        r, _, _ = select.select([p.stdout], [], [], 0.2)
        if r:
            chunk = os.read(p.stdout.fileno(), 4096)
            if not chunk:
                break
            got += chunk
    lines = got.decode().splitlines()
    print("rows out while the writer still holds the pipe: %r" % lines)
    w.close()
    rest, err = p.communicate(timeout=30)
    if sorted(lines) != ['{"id":1,"v2":20}', '{"id":2,"v2":40}', '{"id":3,"v2":60}']:
        print("FAIL: expected the 3 rows before the pipe closed; stderr:\n" + err.decode())
        sys.exit(1)
    if p.returncode != 0:
        print("FAIL: velo-sql exited %d: %s" % (p.returncode, err.decode()))
        sys.exit(1)
print("ok")
