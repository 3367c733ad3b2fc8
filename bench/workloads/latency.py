#!/usr/bin/env python3
"""Workload: latency mode (issue 8). A writer process feeds a named pipe (FIFO) with CSV rows
"id,sent_us" at a fixed rate, each stamped with its send time (CLOCK_REALTIME, us); `velo-sql run
--cores 2` reads the FIFO (file source), filters, and writes JSON lines to stdout (flushed after
every batch); this script reads that pipe and stamps each chunk's arrival. Run without and with
`--busy-poll`, with one FIFO (core 0 reads it and writes the sink) and with a glob of two (one per
core: core 1's rows cross the gather exchange to core 0). usage: latency.py VELO_SQL DATA_DIR FRAGMENT.json

Rate and length: $VELO_BENCH_LAT_RATE rows/s (default 20000) for $VELO_BENCH_LAT_SECONDS (5).
Two figures per mode: "row" latency (send -> read back from the sink) and "batch" latency (send of
the row that completed a 2,048-row source batch -> read back). The file source returns a batch only
when it holds 2,048 rows (or at end of input), so row latency is dominated by the time the batch
takes to fill at the given rate (~2048 / rate); batch latency is the engine's own part (decode,
filter, cores, encode, write).
"""
import json
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import benchlib  # noqa: E402

BATCH = 2048  # rows per source batch (core/batch.h)


def writer(paths, rate, seconds):
    """Writes rate*seconds rows at `rate` rows/s in all, row j to FIFO j % len(paths), each stamped
    at write time."""
    n, k = int(rate * seconds), len(paths)
    fs = [open(p, "w", buffering=1 << 16) for p in paths]
    t0 = time.time()
    i = 0
    while i < n:
        now = time.time()
        due = min(n, int((now - t0) * rate) + 1)
        if due > i:
            us = int(now * 1e6)
            for x, f in enumerate(fs):
                f.write("".join("%d,%d\n" % (j, us) for j in range(i, due) if j % k == x))
                f.flush()
            i = due
        time.sleep(0.0002)
    for f in fs:
        f.close()


def pct(xs, p):
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def measure(velo, data, rate, seconds, busy, nfifo):
    """nfifo 1: one FIFO, read by core 0, which also writes the sink (no exchange on the path);
    nfifo 2: a glob of two FIFOs, one per core: core 1's rows cross the gather exchange to core 0."""
    tmp = tempfile.mkdtemp(dir=data)
    fifos = [os.path.join(tmp, "in_%d.fifo" % x) for x in range(nfifo)]
    for p in fifos:
        os.mkfifo(p)
    uri = fifos[0] if nfifo == 1 else os.path.join(tmp, "in_*.fifo")
    sql = os.path.join(tmp, "q.sql")
    with open(sql, "w") as f:
        f.write("CREATE STREAM lat (id BIGINT, sent_us BIGINT) WITH ('uri' = 'file://%s?format=csv&header=false');\n"
                "SELECT id, sent_us FROM lat WHERE id >= 0;\n" % uri)
    cmd = [velo, "run", sql, "--quiet"] + benchlib.velo_cores_args(velo, 2) + (["--busy-poll"] if busy else [])
    job = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    w = mp.Process(target=writer, args=(fifos, rate, seconds))
    w.start()
    chunks = []  # (arrival_us, bytes): parsed after the run so the reader keeps up
    fd = job.stdout.fileno()
    while True:
        b = os.read(fd, 1 << 20)
        if not b:
            break
        chunks.append((time.time() * 1e6, b))
    err = job.stderr.read().decode("utf-8", "replace")
    rc = job.wait()
    if rc:  # the writer would wait forever for a reader of its FIFO
        w.terminate()
    w.join()
    shutil.rmtree(tmp)
    if rc:
        sys.exit("latency: velo-sql failed (rc %d):\n%s" % (rc, err))
    sent, arr, ids, tail = [], [], [], b""
    for t, b in chunks:
        lines = (tail + b).split(b"\n")
        tail = lines.pop()
        for ln in lines:
            v = json.loads(ln)
            sent.append(v["sent_us"])
            ids.append(v["id"])
            arr.append(t)
    n = int(rate * seconds)
    row = sorted((a - s) / 1000.0 for a, s in zip(arr, sent))
    # the row that completed each full source batch: every BATCH-th row of each FIFO (a FIFO is read
    # by one core, whose rows keep their order)
    seen, batch = [0] * nfifo, []
    for k, i in enumerate(ids):
        seen[i % nfifo] += 1
        if seen[i % nfifo] % BATCH == 0:
            batch.append((arr[k] - sent[k]) / 1000.0)
    batch.sort()
    span = (sent[-1] - sent[0]) / 1e6 if len(sent) > 1 else 0
    return {"rows": len(sent), "expected": n, "rate": (len(sent) - 1) / span if span else 0,
            "row": row, "batch": batch}


def summary(xs):
    if not xs:
        return {}
    return {"p50_ms": pct(xs, 0.5), "p99_ms": pct(xs, 0.99), "p999_ms": pct(xs, 0.999), "max_ms": xs[-1],
            "samples": len(xs)}


velo, data, fragment = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
RATE = int(os.environ.get("VELO_BENCH_LAT_RATE", "20000"))
SECONDS = float(os.environ.get("VELO_BENCH_LAT_SECONDS", "5"))
os.makedirs(data, exist_ok=True)
results, ok = [], True
for nfifo, busy in ((1, False), (1, True), (2, False), (2, True)):
    m = measure(velo, data, RATE, SECONDS, busy, nfifo)
    rs, bs = summary(m["row"]), summary(m["batch"])
    complete = m["rows"] == m["expected"]
    ok = ok and complete
    name = "%s -> filter -> stdout, --cores 2%s" % ("FIFO (core 0)" if nfifo == 1 else "2 FIFOs (one per core)",
                                                     " --busy-poll" if busy else "")
    r = benchlib.row(name, m["rows"], cores=2, status="ok",
                     check=("all %d rows back" % m["rows"]) if complete else "ROWS MISSING (%d of %d)"
                     % (m["rows"], m["expected"]), rows_out=m["rows"], busy_poll=busy, fifos=nfifo,
                     achieved_rows_per_s=round(m["rate"]), row_latency=rs, batch_latency=bs)
    r["latency_p50_ms"], r["latency_p99_ms"] = rs.get("p50_ms"), rs.get("p99_ms")
    results.append(r)
    print("latency %d FIFO%s: %d rows at %.0f rows/s; row p50 %.1f p99 %.1f p99.9 %.1f max %.1f ms; "
          "batch-completing row p50 %.2f p99 %.2f max %.2f ms"
          % (nfifo, " busy-poll" if busy else "", m["rows"], m["rate"], rs["p50_ms"], rs["p99_ms"], rs["p999_ms"],
             rs["max_ms"], bs.get("p50_ms", 0), bs.get("p99_ms", 0), bs.get("max_ms", 0)), file=sys.stderr)
benchlib.write_fragment(
    fragment, "latency", "Latency mode: row arrival to sink write at a fixed rate, with and without --busy-poll",
    {"rate_rows_per_s": RATE, "seconds": SECONDS, "cores": 2, "source_batch_rows": BATCH,
     "load_at_start": os.environ.get("VELO_BENCH_LOAD_START", "")}, results,
    notes="A Python writer stamps each CSV row with its send time (CLOCK_REALTIME) into a FIFO; velo-sql run "
          "--cores 2 filters it to stdout (flushed after every batch); the reader stamps arrival. Row latency "
          "includes waiting for the file source's 2,048-row batch to fill (~%.0f ms at this rate): the source "
          "returns a batch only when full or at end of input. Batch latency is that of the row that completed "
          "each batch: the engine's own decode -> filter -> encode -> write (one sample per batch, so its p99 is "
          "close to its max). One FIFO: core 0 reads it and writes the sink, no exchange on the path, so "
          "--busy-poll has nothing to speed up. Two FIFOs (a glob, one per core, half the rate each): core 1's "
          "batches cross the gather exchange to core 0, which sits in a blocking read(2) of its own FIFO until "
          "its batch is full, so they can wait a whole batch-fill time there, busy-poll or not. --busy-poll needs dedicated CPUs; "
          "a 2-vCPU shared box is not one (the spinning core competes with the writer and reader)."
          % (BATCH * 1000.0 / RATE))
sys.exit(0 if ok else 1)
