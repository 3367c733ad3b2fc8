#!/usr/bin/env python3
"""Workload: thread-per-core. The exchange microbenchmark (bench_exchange, bench/exchange_bench.c:
batches/s and per-hop latency through the ck_ring exchange, against a mutex + condition variable
queue), then a GROUP BY that needs an exchange (GROUP BY trader, symbol over the trades JSON lines:
the file is split over the cores, each core aggregates its slice and sends per-key partial states to
the core owning the key) at --cores 1 and 2, and at 2 cores with the two-phase aggregation off (rows
cross the exchange); outputs must be the same. Rows: $VELO_BENCH_ROWS (default 2,000,000).
usage: scaling.py VELO_SQL DATA_DIR FRAGMENT.json
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import benchlib  # noqa: E402

velo, data, fragment = sys.argv[1], sys.argv[2], sys.argv[3]
rows_n = int(os.environ.get("VELO_BENCH_ROWS", "2000000"))
build = os.path.dirname(velo)
results = []
if not benchlib.velo_cores_supported(velo) or not os.path.exists(os.path.join(build, "bench_exchange")):
    results.append(benchlib.row("exchange and scaling", 0, status="skipped: no thread-per-core runtime"))
else:
    msgs = 200000 if rows_n >= 1000000 else 20000
    ex = subprocess.run([os.path.join(build, "bench_exchange"), str(msgs)], capture_output=True, text=True)
    with open(os.path.join(benchlib.BENCH, "results", "exchange.txt"), "w") as f:
        f.write(ex.stdout)
    for name, rate in re.findall(r"^\s+(ck_ring \+ io_uring doorbell|ck_ring, --busy-poll|mutex\+condvar queue)"
                                 r"\s+(\d+) batches/s", ex.stdout, re.M):
        lat = re.search(re.escape(name) + r"\s+latency p50\s+(\d+) ns\s+p99\s+(\d+) ns", ex.stdout)
        r = benchlib.row("exchange hop, core 1 -> core 0: " + name, msgs, cores=2,
                         check="1-row batches; latency with one message in flight")
        r["events_per_s"] = float(rate)
        if lat:
            r["latency_p50_ms"], r["latency_p99_ms"] = int(lat.group(1)) / 1e6, int(lat.group(2)) / 1e6
        results.append(r)
    subprocess.run(["sh", os.path.join(benchlib.BENCH, "lib", "trades.sh"), data, str(rows_n)], check=True)
    sql = os.path.join(data, "group_scaling.sql")
    with open(sql, "w") as f:
        f.write("CREATE STREAM trades (trade_id BIGINT, ts TIMESTAMP, symbol VARCHAR, trader VARCHAR, side VARCHAR,\n"
                "                      price DECIMAL(12, 2), quantity BIGINT)\n"
                "    WITH ('uri' = 'file://trades_%d.jsonl');\n"
                "SELECT trader, symbol, COUNT(*) AS n, SUM(quantity) AS q, MIN(price) AS lo, MAX(price) AS hi\n"
                "FROM trades GROUP BY trader, symbol;\n" % rows_n)
    # the same query with the two-phase aggregation off (rows, not partial states, cross the exchange)
    sql_rows = os.path.join(data, "group_scaling_rows.sql")
    with open(sql_rows, "w") as f:
        f.write("SET 'group.local.max.groups' = '0';\n" + open(sql).read())
    outs, runs = {}, {}
    # 1 and 2 cores alternate, one repetition at a time, so that both see the same machine load.
    # A run lasts ~0.25 s at 2 cores, where one scheduling hiccup on a shared 2-vCPU box moves a
    # single run by +-30 % (0.23-0.37 s measured back to back): at least 7 repetitions, best of each
    group_reps = max(benchlib.reps(), 7)
    for _ in range(group_reps):
        for key, cores, q in ((1, 1, sql), (2, 2, sql), ("rows", 2, sql_rows)):
            out = os.path.join(data, "group_scaling_%s.jsonl" % key)
            r = benchlib.run([velo, "run", q, "--quiet", "--cores", str(cores)], stdout_path=out)
            if r["rc"]:
                sys.exit("scaling: velo-sql failed at %d cores:\n%s" % (cores, r["stderr"]))
            if key not in runs or r["seconds"] < runs[key]["seconds"]:
                runs[key] = r
            outs[key] = sorted(open(out).read().splitlines())
    same = outs[1] == outs[2] == outs["rows"]
    for key, cores, what in ((1, 1, "GROUP BY trader, symbol (JSON lines, exchange by key)"),
                             (2, 2, "GROUP BY trader, symbol (JSON lines, exchange by key)"),
                             ("rows", 2, "same, two-phase aggregation off (rows cross the exchange)")):
        r = benchlib.row(what, rows_n, velo_run=runs[key], cores=cores, rows_out=len(outs[key]),
                         check=("same output at 1 and 2 cores" if same else "OUTPUTS DIFFER")
                         + ("; speed-up %.2fx (target >= 1.8x on 2 idle cores)"
                            % (runs[1]["seconds"] / runs[key]["seconds"]) if cores == 2 else ""))
        results.append(r)
benchlib.write_fragment(fragment, "scaling", "Thread-per-core: exchange hop and GROUP BY at 1 and 2 cores",
                        {"rows": rows_n, "reps": benchlib.reps(), "group_by_reps": max(benchlib.reps(), 7)}, results,
                        notes="exchange rows: events = batches, latency = one hop; no peer. The GROUP BY runs in two "
                              "phases at 2 cores (each core aggregates its slice locally, per-key partial states cross "
                              "the exchange, the key's owner merges them); the last row turns that off "
                              "('group.local.max.groups'='0'). 1- and 2-core runs alternate, best of group_by_reps repetitions "
                              "(a run is ~0.25 s at 2 cores: single runs vary by +-30 % on a shared box).")
sys.exit(1 if any("OUTPUTS DIFFER" in r["check"] for r in results) else 0)
