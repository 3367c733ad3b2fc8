#!/usr/bin/env python3
"""Workload: exact DECIMAL against DOUBLE. The same CSV column of amounts read as DECIMAL(18,2) and
as DOUBLE, with SUM(v) and with arithmetic (SUM(v * 1.05 + 0.25)); velo-sql and DuckDB (one
thread) on the same file. usage: decimal.py VELO_SQL DATA_DIR FRAGMENT.json

Values: $VELO_BENCH_SUM_ROWS (default 100,000,000, the issue's size: about 0.9 GB of CSV, written
once by gen_values.c in ~10 s and kept in DATA_DIR as values_N.csv for later runs). Each row reports the DECIMAL run; "decimal_vs_double" is DOUBLE time /
DECIMAL time of the same engine and query (below 1: DECIMAL is slower), whichever way it goes.
The DECIMAL sums of velo-sql and DuckDB must be the same text.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import benchlib  # noqa: E402

velo, data, fragment = sys.argv[1], sys.argv[2], sys.argv[3]
N = int(os.environ.get("VELO_BENCH_SUM_ROWS", "100000000"))
os.makedirs(data, exist_ok=True)
benchlib.ensure_duckdb()
csv = os.path.join(data, "values_%d.csv" % N)
if not os.path.exists(csv):
    exe = os.path.join(data, "gen_values")
    subprocess.run(["cc", "-O2", "-o", exe, os.path.join(benchlib.BENCH, "gen_values.c")], check=True)
    subprocess.run([exe, csv + ".tmp", str(N)], check=True)
    os.rename(csv + ".tmp", csv)

QUERIES = {"sum": "SELECT SUM(v) AS s, COUNT(*) AS n FROM vals",
           "arith": "SELECT SUM(v * 1.05 + 0.25) AS s, COUNT(*) AS n FROM vals"}
TYPES = {"decimal": "DECIMAL(18,2)", "double": "DOUBLE"}
CORES = benchlib.velo_cores_args(velo, 1)  # one core, as the peer


def velo_run(q, t):
    sql = os.path.join(data, "dec_%s_%s.sql" % (q, t))
    with open(sql, "w") as f:
        f.write("CREATE STREAM vals (v %s) WITH ('uri' = 'file://%s?format=csv&header=true');\n%s;\n"
                % (TYPES[t], csv, QUERIES[q]))
    out = os.path.join(data, "dec_velo_%s_%s.jsonl" % (q, t))
    return benchlib.best_of(benchlib.reps(), lambda: benchlib.run([velo, "run", sql, "--quiet"] + CORES, stdout_path=out)), out


def duck_run(q, t):
    setup = ("CREATE VIEW vals AS SELECT * FROM read_csv('%s', header = true, auto_detect = false, "
             "columns = {'v': '%s'});\n" % (csv, TYPES[t]))
    out = os.path.join(data, "dec_duck_%s_%s.jsonl" % (q, t))
    return benchlib.best_of(benchlib.reps(), lambda: benchlib.duckdb(setup, QUERIES[q], out, data)), out


def first_value(path):
    with open(path) as f:
        return json.loads(f.readline(), parse_float=str, parse_int=str)["s"]


results = []
for q in QUERIES:
    runs = {}
    for t in TYPES:
        runs[("velo", t)] = velo_run(q, t)
        runs[("duck", t)] = duck_run(q, t)
        for (e, tt), (r, _) in runs.items():
            if r["rc"]:
                sys.exit("decimal: %s failed on %s/%s:\n%s" % (e, q, tt, r["stderr"]))
    vd, vdo = runs[("velo", "decimal")], runs[("velo", "double")]
    dd, ddo = runs[("duck", "decimal")], runs[("duck", "double")]
    same = first_value(vd[1]) == first_value(dd[1])
    check = ("DECIMAL sums identical (%s)" % first_value(vd[1])) if same else \
        "DECIMAL SUMS DIFFER (%s vs %s)" % (first_value(vd[1]), first_value(dd[1]))
    for t, (v, d) in (("decimal", (vd, dd)), ("double", (vdo, ddo))):
        r = benchlib.row("%s %s" % (q, t), N, velo_run=v[0], peer_run=d[0], check=check if t == "decimal" else "")
        r["decimal_vs_double"] = None
        results.append(r)
    # DOUBLE seconds / DECIMAL seconds, per engine (DuckDB: query-only time)
    results[-2]["decimal_vs_double"] = {"velo-sql": vdo[0]["seconds"] / vd[0]["seconds"],
                                        "duckdb": ddo[0]["query_seconds"] / dd[0]["query_seconds"]}
    print("decimal %s: velo dec %.2f s dbl %.2f s; duckdb dec %.2f s dbl %.2f s; %s"
          % (q, vd[0]["seconds"], vdo[0]["seconds"], dd[0]["query_seconds"], ddo[0]["query_seconds"], check),
          file=sys.stderr)

benchlib.write_fragment(fragment, "decimal", "DECIMAL(18,2) vs DOUBLE: SUM and arithmetic over a CSV column",
                        {"values": N, "reps": benchlib.reps()}, results,
                        notes="decimal_vs_double = DOUBLE time / DECIMAL time of the same engine (< 1: DECIMAL slower)."
                              + ("" if N >= 100000000 else " Scaled down from 100M values (VELO_BENCH_SUM_ROWS)."))
sys.exit(0 if all(not r["check"].startswith("DECIMAL SUMS DIFFER") for r in results) else 1)
