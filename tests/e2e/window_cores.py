#!/usr/bin/env python3
"""End-to-end: window functions with PARTITION BY on several cores (behind the keyed exchange).

A generated CSV whose ORDER BY values tie a lot (few distinct timestamps per partition) runs through
window functions whose values depend on the order of tied rows (ROW_NUMBER, LAG, NTILE, FIRST_VALUE,
ROWS frames, a DOUBLE sum) and through order-free ones (RANK, DENSE_RANK, CUME_DIST, exact RANGE
sums). At --cores 2 and 4 the output must equal --cores 1's (as a multiset of lines, in order under
a top-level ORDER BY). On one core tied rows keep their input order (ROW_NUMBER follows the ids,
written in file order). `velo-sql explain --cores 2` must show the ANALYTIC behind the exchange,
with the source unsplit for order-dependent calls and split for order-free ones.

usage: window_cores.py PATH/TO/velo-sql
"""
import json
import os
import random
import subprocess
import sys
import tempfile

ROWS = 30000
SYMBOLS = ["S%02d" % i for i in range(40)]

DECL = ("CREATE STREAM t (id BIGINT, ts TIMESTAMP, symbol VARCHAR, side VARCHAR, qty BIGINT, px DOUBLE)\n"
        "  WITH ('uri' = 'file://t.csv');\n")

QUERIES = {
    # order-dependent: the source is read unsplit, each partition's rows reach their core in order
    "ties": "SELECT id, symbol, ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY ts) AS rn, "
            "LAG(id) OVER (PARTITION BY symbol ORDER BY ts) AS prev, "
            "SUM(qty) OVER (PARTITION BY symbol ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s3, "
            "FIRST_VALUE(id) OVER (PARTITION BY symbol ORDER BY ts) AS f, "
            "NTILE(4) OVER (PARTITION BY symbol ORDER BY ts) AS q, "
            "SUM(px) OVER (PARTITION BY symbol ORDER BY ts) AS spx FROM t",
    # order-free: every core reads a slice
    "order_free": "SELECT id, RANK() OVER (PARTITION BY symbol ORDER BY ts) AS rk, "
                  "DENSE_RANK() OVER (PARTITION BY symbol ORDER BY ts DESC) AS drk, "
                  "CUME_DIST() OVER (PARTITION BY symbol ORDER BY ts) AS cd, "
                  "SUM(qty) OVER (PARTITION BY symbol ORDER BY ts) AS s, "
                  "MAX(qty) OVER (PARTITION BY symbol) AS mx, COUNT(*) OVER (PARTITION BY symbol) AS n FROM t",
    # two windows sharing one key (routed by it), a filter in front, a top-level ORDER BY after
    "common_key": "SELECT id, ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY ts) AS rn, "
                  "SUM(qty) OVER (PARTITION BY side, symbol ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) "
                  "AS s FROM t WHERE qty > 10 ORDER BY id",
    # PARTITION BY an expression
    "expr_key": "SELECT id, LEAD(id, 2) OVER (PARTITION BY symbol || side ORDER BY ts) AS nx FROM t",
}


def write_data(path):
    rnd = random.Random(7)
    with open(path, "w") as f:
        f.write("id,ts,symbol,side,qty,px\n")
        for i in range(ROWS):
            sec = rnd.randrange(20)  # few timestamps: many ties in ORDER BY ts
            f.write("%d,2024-01-01T00:00:%02d.000Z,%s,%s,%d,%.3f\n" %
                    (i, sec, rnd.choice(SYMBOLS), rnd.choice("BS"), rnd.randrange(100), rnd.random() * 100))


def run(velo, work, name, sql, cores):
    q = os.path.join(work, "%s.sql" % name)
    with open(q, "w") as f:
        f.write(DECL + sql + ";\n")
    p = subprocess.run([velo, "run", q, "--quiet", "--cores", str(cores)], cwd=work, capture_output=True)
    if p.returncode:
        sys.exit("%s failed at --cores %d (exit %d):\n%s" % (name, cores, p.returncode, p.stderr.decode()))
    return p.stdout.decode().splitlines()


def explain(velo, work, name, cores):
    p = subprocess.run([velo, "explain", "%s.sql" % name, "--cores", str(cores)], cwd=work,
                       capture_output=True)
    if p.returncode:
        sys.exit("explain %s failed:\n%s" % (name, p.stderr.decode()))
    return p.stdout.decode()


def main():
    velo = os.path.abspath(sys.argv[1])
    failures = []
    with tempfile.TemporaryDirectory(prefix="velo-wincores-") as work:
        write_data(os.path.join(work, "t.csv"))
        for name, sql in QUERIES.items():
            ordered = "ORDER BY id" in sql
            one = run(velo, work, name, sql, 1)
            if len(one) != (ROWS if name != "common_key" else len(one)) or not one:
                failures.append("%s: %d rows at --cores 1" % (name, len(one)))
            for cores in (2, 4):
                got = run(velo, work, name, sql, cores)
                if (got if ordered else sorted(got)) != (one if ordered else sorted(one)):
                    failures.append("%s: --cores %d differs from --cores 1" % (name, cores))
            if name == "ties":  # tied rows keep their input order: row numbers follow the ids
                last = {}
                rows = sorted((json.loads(line) for line in one), key=lambda r: r["id"])
                ts = {}
                with open(os.path.join(work, "t.csv")) as f:
                    next(f)
                    for line in f:
                        c = line.split(",")
                        ts[int(c[0])] = c[1]
                for r in rows:
                    k = (r["symbol"], ts[r["id"]])
                    if k in last and last[k] >= r["rn"]:
                        failures.append("ties: id %d has rn %d after a tied earlier row's %d" %
                                        (r["id"], r["rn"], last[k]))
                        break
                    last[k] = r["rn"]
        want = {"ties": "core 0, the whole source (unsplit)", "order_free": "every core, its slice",
                "common_key": "core 0, the whole source (unsplit): SCAN, FILTER",
                "expr_key": "core 0, the whole source (unsplit)"}
        for name, first_stage in want.items():
            text = explain(velo, work, name, 2)
            for line in (first_stage, "exchange by hash(", "every core: ANALYTIC"):
                if line not in text:
                    failures.append("explain %s --cores 2 lacks %r:\n%s" % (name, line, text))
        if "exchange by hash(symbol) % 2" not in explain(velo, work, "common_key", 2):
            failures.append("common_key is not routed by its shared key symbol")
    for f in failures:
        print(f)
    print("window_cores: %s" % ("ok" if not failures else "%d failures" % len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
