#!/usr/bin/env python3
"""Workload: the Nexmark queries (bench/nexmark/qN.sql) from a generated JSON-lines file, velo-sql
(1 core, and 2 cores when `velo-sql run --cores` exists) against DuckDB (one thread) on the same
file. usage: nexmark.py VELO_SQL DATA_DIR FRAGMENT.json

Events: $VELO_BENCH_NEXMARK_EVENTS (default 1,000,000), seed 42. events/s = all events of the file
(persons, auctions and bids) / wall-clock seconds of the whole velo-sql process (parse, plan, read,
write to a file); DuckDB's is its query-only time (node start-up excluded), so the ratio is
conservative. Queries velo-sql does not run yet are listed with DuckDB's figure alone.
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import benchlib  # noqa: E402

velo, data, fragment = sys.argv[1], sys.argv[2], sys.argv[3]
QDIR = os.path.join(benchlib.BENCH, "nexmark")
EVENTS = int(os.environ.get("VELO_BENCH_NEXMARK_EVENTS", "1000000"))
SEED = 42
sys.path.insert(0, QDIR)
from nexmark_fields import duckdb_query, duckdb_setup, velo_query_on_file  # noqa: E402

os.makedirs(data, exist_ok=True)
benchlib.ensure_duckdb()
events = os.path.join(data, "nexmark_%d_%d.jsonl" % (EVENTS, SEED))
if not os.path.exists(events):
    g = benchlib.run([velo, "gen", "nexmark", "--events", str(EVENTS), "--seed", str(SEED), "--quiet",
                      "--out", "file://" + events + ".tmp?format=jsonl"])
    if g["rc"]:
        sys.exit("nexmark: velo-sql gen failed: " + g["stderr"])
    os.rename(events + ".tmp", events)

setup = duckdb_setup(events)
cores_ok = benchlib.velo_cores_supported(velo)
names = sorted((f[:-4] for f in os.listdir(QDIR) if re.fullmatch(r"q\d+\.sql", f)), key=lambda n: int(n[1:]))
results = []
for name in names:
    path = os.path.join(QDIR, name + ".sql")
    text = open(path).read()
    dtext = duckdb_query(QDIR, name, text)
    dout = os.path.join(data, "nexmark_duck_%s.jsonl" % name)
    peer = benchlib.best_of(benchlib.reps(), lambda: benchlib.duckdb(setup, dtext, dout, data))
    if peer["rc"]:
        sys.exit("nexmark: DuckDB failed on %s:\n%s" % (name, peer["stderr"]))
    drows = benchlib.count_lines(dout)
    for cores in (1, 2):
        vout = os.path.join(data, "nexmark_velo_%s.jsonl" % name)
        sql = velo_query_on_file(path, events, os.path.join(data, "nexmark_%s.sql" % name))
        if cores > 1 and not cores_ok:
            results.append(benchlib.row(name, EVENTS, cores=cores, peer_run=peer,
                                        status="skipped: velo-sql run has no --cores yet"))
            continue
        cmd = [velo, "run", sql, "--quiet"] + benchlib.velo_cores_args(velo, cores)
        v = benchlib.best_of(benchlib.reps(), lambda: benchlib.run(cmd, stdout_path=vout))
        if v["rc"] and "not supported yet" in v["stderr"]:
            msg = v["stderr"].strip().splitlines()[0]
            msg = msg.split("error: ", 1)[-1]
            results.append(benchlib.row(name, EVENTS, cores=cores, peer_run=peer, status="not supported yet",
                                        check=msg, rows_out=None, peer_rows=drows))
            break  # the same at any core count
        if v["rc"]:
            sys.exit("nexmark: velo-sql failed on %s:\n%s" % (name, v["stderr"]))
        vrows = benchlib.count_lines(vout)
        check = "same row count" if vrows == drows else "ROWS DIFFER (%d vs %d)" % (vrows, drows)
        results.append(benchlib.row(name, EVENTS, velo_run=v, cores=cores, peer_run=peer, check=check,
                                    rows_out=vrows, peer_rows=drows))
        print("nexmark %s cores=%d: velo %.2f s, duckdb %.2f s (query %.2f s), %s"
              % (name, cores, v["seconds"], peer["seconds"], peer["query_seconds"], check), file=sys.stderr)

benchlib.write_fragment(fragment, "nexmark", "Nexmark queries from a JSON-lines file",
                        {"events": EVENTS, "seed": SEED, "reps": benchlib.reps(),
                         "bytes": os.path.getsize(events)}, results,
                        notes="events/s counts every event of the file (persons, auctions, bids). "
                              "DuckDB: one thread, query-only time. velo-sql writes to stdout redirected "
                              "to a file: at 2 cores a query with nothing after the gather (q0, q1, q2) "
                              "encodes and writes its rows on both cores (docs/architecture.md).")
bad = [r for r in results if r["check"].startswith("ROWS DIFFER")]
sys.exit(1 if bad else 0)
