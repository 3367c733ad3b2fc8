#!/usr/bin/env python3
"""Graceful shutdown: SIGINT (or SIGTERM) while `velo-sql run --cores N` is reading a large input
stops the sources, drains the exchanges, flushes the sink and exits 0. The GROUP BY output must
account for exactly the rows the summary says were read: nothing lost between cores.

usage: graceful_shutdown.py PATH/TO/velo-sql CORES SIGNAL(INT|TERM)
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

ROWS_PER_FILE = 20000
FILES = 400  # 8M rows in all: far more than is read before the signal


def main():
    velo, cores, sig = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
    with tempfile.TemporaryDirectory(prefix="velo-shutdown-") as tmp:
        data = os.path.join(tmp, "part0000.jsonl")
        with open(data, "w") as f:
            for i in range(ROWS_PER_FILE):
                f.write('{"id":%d,"k":"k%d","v":%d}\n' % (i, i % 97, i % 13))
        for i in range(1, FILES):  # the same bytes under many names: a large glob, cheaply
            os.symlink(data, os.path.join(tmp, "part%04d.jsonl" % i))
        with open(os.path.join(tmp, "q.sql"), "w") as f:
            f.write("CREATE STREAM t (id BIGINT, k VARCHAR, v BIGINT) WITH ('uri' = 'file://part*.jsonl');\n"
                    "CREATE STREAM g AS SELECT k, COUNT(*) AS n, SUM(v) AS s FROM t GROUP BY k "
                    "INTO 'file://out.jsonl';\n")
        p = subprocess.Popen([velo, "run", "q.sql", "--cores", cores], cwd=tmp,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(0.5)
        p.send_signal(signal.SIGINT if sig == "INT" else signal.SIGTERM)
        try:
            out, err = p.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            print("FAIL: velo-sql did not stop within 60 s of SIG%s" % sig)
            return 1
        err = err.decode()
        if p.returncode != 0:
            print("FAIL: exit %d after SIG%s, expected 0\n%s" % (p.returncode, sig, err))
            return 1
        m = re.search(r"g: (\d+) rows read, (\d+) written", err)
        if not m:
            print("FAIL: no summary line on stderr:\n" + err)
            return 1
        read = int(m.group(1))
        rows = [json.loads(l) for l in open(os.path.join(tmp, "out.jsonl"))]
        counted = sum(r["n"] for r in rows)
        total = ROWS_PER_FILE * FILES
        if counted != read:
            print("FAIL: the output counts %d rows but %d were read" % (counted, read))
            return 1
        if read >= total:
            print("note: the whole input (%d rows) was read before the signal took effect" % total)
        print("ok: SIG%s at --cores %s: stopped after %d of %d rows, %d groups flushed, exit 0"
              % (sig, cores, read, total, len(rows)))
        return 0


if __name__ == "__main__":
    sys.exit(main())
