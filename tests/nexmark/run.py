#!/usr/bin/env python3
"""Nexmark queries (bench/nexmark/qN.sql) against DuckDB on the same generated events.

usage: run.py PATH/TO/velo-sql [--only q0[,q1...]] [--events N] [--seed S] [--keep]

Generates N events (default 20,000, seed 42, 1,000 per second of event time) with `velo-sql gen
nexmark` into a JSON-lines file,
runs each query with velo-sql (its nexmark:// sources replaced by that file) and with
DuckDB (views of the same names over read_json; qN.duckdb.sql when the spelling differs, else the
query's last statement), and compares the results exactly with the rules of tests/conformance
(multiset of rows, DECIMAL by value, timestamps in one form).

A query marked `-- pending: <reason>` that velo-sql reports as "not supported yet" is skipped (exit
code 77, which ctest shows as skipped); once it runs its result is compared like any other. Exit
status 1 when a query fails.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
QUERIES = os.path.join(ROOT, "bench", "nexmark")
CONF = os.path.join(ROOT, "tests", "conformance")
sys.path.insert(0, CONF)
import run as conformance  # noqa: E402  (the comparison rules)

SKIP = 77
sys.path.insert(0, QUERIES)
from nexmark_fields import duckdb_query, duckdb_setup, velo_query_on_file  # noqa: E402


class Query:
    def __init__(self, name):
        self.name = name
        self.path = os.path.join(QUERIES, name + ".sql")
        self.text = open(self.path, encoding="utf-8").read()
        m = re.search(r"^--\s*pending:\s*(.*)$", self.text, re.M)
        self.pending = m.group(1).strip() if m else None
        self.duck_text = duckdb_query(QUERIES, name, self.text)
        self.ordered = conformance.has_top_level_order_by(self.duck_text)


def run_velo(velo, q, events, work):
    sql = velo_query_on_file(q.path, events, os.path.join(work, q.name + ".velo.sql"))
    cmd = [velo, "run", sql, "--quiet"]
    p = subprocess.run(cmd, cwd=work, capture_output=True, timeout=300)
    if p.returncode != 0:
        return {"rc": p.returncode, "stderr": p.stderr.decode("utf-8", "replace")}
    rows = [conformance.json.loads(l, parse_float=conformance.Decimal)
            for l in p.stdout.decode("utf-8").splitlines() if l.strip()]
    return {"rows": rows}


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    velo = os.path.abspath(args[0])
    only, events_n, seed, keep = None, 20000, 42, False
    i = 1
    while i < len(args):
        if args[i] == "--only":
            only = args[i + 1].split(",")
            i += 1
        elif args[i] == "--events":
            events_n = int(args[i + 1])
            i += 1
        elif args[i] == "--seed":
            seed = int(args[i + 1])
            i += 1
        elif args[i] == "--keep":
            keep = True
        i += 1
    names = sorted(f[:-4] for f in os.listdir(QUERIES)
                   if re.fullmatch(r"q\d+\.sql", f)) if not only else only
    subprocess.run(["sh", os.path.join(CONF, "setup.sh")], check=True)
    work = tempfile.mkdtemp(prefix="velo-nexmark-")
    try:
        events = os.path.join(work, "events.jsonl")
        # 1,000 events per second of event time: 20,000 events span 20 s, two 10 s windows (q5, q7, q8)
        subprocess.run([velo, "gen", "nexmark", "--events", str(events_n), "--seed", str(seed), "--rate", "1000",
                        "--quiet",
                        "--out", "file://" + events], check=True)
        queries = [Query(n) for n in names]
        os.makedirs(os.path.join(work, "duck"))
        with open(os.path.join(work, "setup.sql"), "w") as f:
            f.write(duckdb_setup(events))
        with open(os.path.join(work, "list.tsv"), "w") as f:
            for q in queries:
                qp = os.path.join(work, q.name + ".duck.sql")
                with open(qp, "w") as g:
                    g.write(q.duck_text)
                f.write("%s\t%s\n" % (qp, os.path.join(work, "duck", q.name + ".jsonl")))
        subprocess.run(["node", os.path.join(CONF, "duck.mjs"), os.path.join(work, "setup.sql"),
                        os.path.join(work, "list.tsv")], check=True, cwd=CONF)
        failed = skipped = passed = 0
        for q in queries:
            duck = conformance.read_duck(work, q)
            if "error" in duck:
                print("FAIL %s: DuckDB: %s" % (q.name, duck["error"]))
                failed += 1
                continue
            v = run_velo(velo, q, events, work)
            if "rows" not in v:
                if q.pending and "not supported yet" in v["stderr"]:
                    print("PENDING %s: %s (DuckDB: %d rows)" % (q.name, q.pending, len(duck["rows"])))
                    skipped += 1
                else:
                    print("FAIL %s: velo-sql exit %d\n%s" % (q.name, v["rc"], v["stderr"]))
                    failed += 1
                continue
            diff = conformance.compare(q, v["rows"], duck)
            if diff:
                print("FAIL %s: %s" % (q.name, diff))
                failed += 1
            else:
                note = " (runs now: remove its '-- pending:' line)" if q.pending else ""
                print("ok %s: %d rows agree%s" % (q.name, len(v["rows"]), note))
                passed += 1
        print("nexmark: %d passed, %d failed, %d pending (%d events, seed %d)"
              % (passed, failed, skipped, events_n, seed))
        if failed:
            return 1
        return SKIP if skipped and not passed else 0
    finally:
        if keep:
            print("work folder kept: " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
