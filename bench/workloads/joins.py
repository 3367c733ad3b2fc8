#!/usr/bin/env python3
"""Workload: joins (bench/joins.py): a stream-table INNER JOIN and a windowed stream-stream join
(WITHIN 1 SECOND), velo-sql on 1 core next to DuckDB's hash join (threads=1) on the same CSV files,
and the stream-table join on 2 cores (table partitioned by key, and broadcast). This
wrapper runs it and turns its table (results/joins.md) into a fragment; both engines' times are
whole processes (DuckDB's includes node start-up, ~0.4 s). Size: $VELO_BENCH_JOIN_SCALE (default
0.1 of a 1M-row table and a 10M-row stream). usage: joins.py VELO_SQL DATA_DIR FRAGMENT.json
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import benchlib  # noqa: E402

velo, data, fragment = sys.argv[1], sys.argv[2], sys.argv[3]
results = os.path.join(benchlib.BENCH, "results")
env = dict(os.environ, VELO_BENCH_REPS=str(benchlib.reps()))
if subprocess.run([sys.executable, os.path.join(benchlib.BENCH, "joins.py"), velo, data, results],
                  env=env, stdout=subprocess.DEVNULL).returncode:
    sys.exit("joins: bench/joins.py failed")
text = open(os.path.join(results, "joins.md")).read()
params = re.search(r"table rows (\d+), stream rows (\d+), quotes (\d+)", text)
runs = {}
for m in re.finditer(r"^\| (.+?) \| (velo-sql|duckdb) \| ([\d.]+) \| ([\d.]+) M \| (\d+) \| (\d+) \|$", text, re.M):
    runs.setdefault(m.group(1), {})[m.group(2)] = {"seconds": float(m.group(3)), "mrows": float(m.group(4)),
                                                   "rss": int(m.group(5)) << 20, "out": int(m.group(6))}
rows = []
for title, e in runs.items():
    v, d = e.get("velo-sql"), e.get("duckdb")
    n = round(v["mrows"] * 1e6 * v["seconds"]) if v else 0  # input rows
    cores = 2 if ", 2 cores" in title else 1
    if cores == 2:  # joins.py compared its rows with the 1-core run's (a multiset digest)
        check = "ROWS DIFFER" if re.search(r"^bench: .*\(%s\) differs" % re.escape(title.split(", ")[-1]),
                                           text, re.M) else "same rows as 1 core"
    else:
        check = "same row count" if v and d and v["out"] == d["out"] else "ROWS DIFFER"
    r = benchlib.row(title, n, cores=cores, velo_run={"seconds": v["seconds"], "rss": v["rss"]},
                     peer_run={"seconds": d["seconds"], "rss": d["rss"]} if d else None, check=check,
                     rows_out=v["out"], peer_rows=d["out"] if d else None)
    rows.append(r)
benchlib.write_fragment(fragment, "joins", "Joins: stream-table and windowed stream-stream (velo-sql vs DuckDB)",
                        {"table_rows": int(params.group(1)), "stream_rows": int(params.group(2)),
                         "quotes": int(params.group(3)), "reps": benchlib.reps()} if params else {},
                        rows, notes="events = input rows of both sides; DuckDB's time is its whole process here.")
sys.exit(1 if any(r["check"] == "ROWS DIFFER" for r in rows) else 0)
