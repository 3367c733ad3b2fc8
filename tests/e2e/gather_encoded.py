#!/usr/bin/env python3
"""End-to-end: rows of several cores into one sink, encoded on the cores that produce them
(engine/gather.h). A pass-through query (a filter and a projection: only the sink after the gather)
and a two-phase GROUP BY write JSON lines, CSV (one header, first) and stdout at --cores 2 and 4; the
rows must be those of --cores 1 (as a multiset of lines) and every file a valid file of whole rows:
 - into regular files (each core writes its own pieces at reserved offsets),
 - to stdout redirected to a file, two statements one after the other (the second follows the first),
 - to stdout through a pipe and into a file opened with append=true (the bytes travel to core 0),
 - into a named pipe read slowly (backpressure: the sources pause; nothing lost, nothing doubled).

usage: gather_encoded.py PATH/TO/velo-sql
"""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

ROWS = 30000


def fail(msg):
    sys.exit("gather_encoded: " + msg)


def run(velo, work, sql, cores, stdout=None):
    q = os.path.join(work, "q.sql")
    with open(q, "w") as f:
        f.write(sql)
    p = subprocess.run([velo, "run", q, "--quiet", "--cores", str(cores)], cwd=work,
                       stdout=stdout if stdout is not None else subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=120)
    if p.returncode:
        fail("velo-sql failed at --cores %d (exit %d):\n%s" % (cores, p.returncode, p.stderr.decode()))
    return p.stdout


def lines_of(path):
    with open(path, "rb") as f:
        data = f.read()
    if data and not data.endswith(b"\n"):
        fail("%s does not end with a newline" % path)
    return data.decode("utf-8").splitlines()


def check_jsonl(name, lines):
    for ln in lines:
        try:
            json.loads(ln)
        except ValueError:
            fail("%s: not a JSON line: %r" % (name, ln[:200]))


def check_csv(name, lines, header):
    if not lines or lines[0] != header:
        fail("%s: the header is not the first line (%r)" % (name, lines[:1]))
    if lines.count(header) != 1:
        fail("%s: %d headers" % (name, lines.count(header)))


def main():
    velo = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="velo-gather-") as work:
        with open(os.path.join(work, "t.jsonl"), "w") as f:
            for i in range(ROWS):
                name = ["plain", 'quo"te', "comma,semi;", "ünï\\cødé", "line"][i % 5]
                price = "null" if i % 11 == 0 else '"%d.%02d"' % (i % 900, i % 100)
                f.write('{"id":%d,"k":"k%d","name":"%s","price":%s,"ts":"2024-0%d-1%dT0%d:00:0%d.%06dZ",'
                        '"x":%s}\n' % (i, i % 37, name.replace("\\", "\\\\").replace('"', '\\"'), price,
                                       1 + i % 9, i % 10, i % 10, i % 10, i % 1000000,
                                       "null" if i % 7 == 0 else str(i * 1.5)))
        decl = ("CREATE STREAM t (id BIGINT, k VARCHAR, name VARCHAR, price DECIMAL(10,2), ts TIMESTAMP, "
                "x DOUBLE) WITH ('uri'='file://t.jsonl');\n")
        proj = "SELECT id, k, name, price, ts, x, id * 2 AS twice FROM t WHERE id % 10 <> 3"
        group = ("SELECT k, COUNT(*) AS n, SUM(price) AS sp, MIN(ts) AS first_ts, MAX(id) AS hi "
                 "FROM t GROUP BY k")
        header = "id,k,name,price,ts,x,twice"
        want = {}
        for cores in (1, 2, 4):
            # regular files: JSON lines, CSV, a GROUP BY (encoded on each key's owner)
            run(velo, work, decl + proj + " INTO 'file://p.jsonl';\n" + proj + " INTO 'file://p.csv';\n"
                + group + " INTO 'file://g.csv';\n", cores)
            got = {"p.jsonl": lines_of(os.path.join(work, "p.jsonl")), "p.csv": lines_of(os.path.join(work, "p.csv")),
                   "g.csv": lines_of(os.path.join(work, "g.csv"))}
            check_jsonl("p.jsonl", got["p.jsonl"])
            check_csv("p.csv", got["p.csv"], header)
            check_csv("g.csv", got["g.csv"], "k,n,sp,first_ts,hi")
            # stdout into a file: two statements, the second's rows after the first's
            with open(os.path.join(work, "stdout.jsonl"), "wb") as f:
                run(velo, work, decl + proj + ";\n" + group + ";\n", cores, stdout=f)
            out = lines_of(os.path.join(work, "stdout.jsonl"))
            check_jsonl("stdout", out)
            keys = [("k" in json.loads(ln) and "n" in json.loads(ln)) for ln in out]
            if keys != sorted(keys):
                fail("--cores %d: stdout to a file: the second statement's rows are not after the first's" % cores)
            got["stdout file"] = out
            # stdout through a pipe: the encoded bytes go to core 0
            piped = run(velo, work, decl + proj + ";\n", cores).decode().splitlines()
            check_jsonl("stdout pipe", piped)
            got["stdout pipe"] = piped
            # append=true (O_APPEND): what was in the file stays first, no second header
            with open(os.path.join(work, "a.csv"), "w") as f:
                f.write(header + "\n-1,before,,,,,\n")
            run(velo, work, decl + proj + " INTO 'file://a.csv?append=true';\n", cores)
            app = lines_of(os.path.join(work, "a.csv"))
            if app[:2] != [header, "-1,before,,,,,"]:
                fail("--cores %d: append=true lost what the file held: %r" % (cores, app[:2]))
            check_csv("a.csv", app, header)
            got["a.csv"] = app
            for name, rows in got.items():
                rows = sorted(rows)
                if cores == 1:
                    want[name] = rows
                elif rows != want[name]:
                    fail("--cores %d: %s differs from --cores 1 (%d vs %d lines)" % (cores, name, len(rows),
                                                                                   len(want[name])))
        if len(want["p.jsonl"]) != ROWS - ROWS // 10 or len(want["g.csv"]) != 38:
            fail("unexpected row counts: %d, %d" % (len(want["p.jsonl"]), len(want["g.csv"]) - 1))
        if want["stdout pipe"] != want["p.jsonl"]:
            fail("stdout differs from the JSON lines file")

        # a named pipe read slowly at --cores 2: the sink fills, the sources pause, every row arrives once
        fifo = os.path.join(work, "out.fifo")
        os.mkfifo(fifo)
        got = []

        def reader():
            with open(fifo, "rb") as f:
                while True:
                    chunk = f.read(65536)
                    if not chunk:
                        break
                    got.append(chunk)
                    time.sleep(0.002)

        t = threading.Thread(target=reader)
        t.start()
        run(velo, work, decl + proj + " INTO 'file://out.fifo?format=jsonl';\n", 2)
        t.join(60)
        rows = sorted(b"".join(got).decode().splitlines())
        if rows != want["p.jsonl"]:
            fail("named pipe at --cores 2: %d rows, want %d" % (len(rows), len(want["p.jsonl"])))
    print("gather_encoded: ok")


main()
