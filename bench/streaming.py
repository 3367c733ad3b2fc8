#!/usr/bin/env python3
"""Streaming-execution benchmarks: velo-sql vs DuckDB (threads=1) on the same trades file, same
query, same run. usage: streaming.py VELO_SQL DATA_DIR ROWS RESULTS_DIR [FRAGMENT.json]

Expects DATA_DIR/trades_ROWS.csv and DATA_DIR/trades_ROWS.jsonl (bench/run.sh generates them).
For each format and query: best of 3 wall-clock times (whole process, both sides: velo-sql's
includes parse/plan, DuckDB's includes node start-up, also shown separately) and the peak RSS of
each process (ru_maxrss from wait4 on that process; DuckDB's is the node process, so it includes
node). Checks that both produce the same number of rows, and for GROUP BY symbol that the DECIMAL
sums, the integer sum and the counts are identical text. Then the memory benchmark: GROUP BY over
ROWS distinct keys. Writes RESULTS_DIR/streaming.md and prints it, and with FRAGMENT.json the
same figures as a workload fragment for bench/collect.py (bench/lib/benchlib.py).
"""
import json
import os
import sys
import time

velo, data, rows, results = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
here = os.path.dirname(os.path.abspath(__file__))
peer = os.path.join(here, "duckdb_streaming.mjs")
REPS = int(os.environ.get("VELO_BENCH_REPS", "3"))

SCHEMA = """CREATE STREAM trades (trade_id BIGINT, ts TIMESTAMP, symbol VARCHAR, trader VARCHAR,
                      side VARCHAR, price DECIMAL(12, 2), quantity BIGINT)
    WITH ('uri' = 'file://{src}'{extra});
CREATE STREAM out AS
"""
QUERIES = {
    "fp": ("filter+project", "",
           "SELECT trade_id, symbol, price, quantity, price * quantity AS notional\n"
           "FROM trades WHERE side = 'BUY' AND quantity >= 500"),
    "gb": ("GROUP BY symbol (SUM/COUNT/AVG)", "",
           "SELECT symbol, SUM(price * quantity) AS notional, SUM(quantity) AS qty, COUNT(*) AS n,\n"
           "       AVG(price) AS avg_price\nFROM trades GROUP BY symbol"),
    "tw": ("tumbling 1m GROUP BY symbol", ", 'event.time.field' = 'ts'",
           "SELECT symbol, window_start, SUM(quantity) AS qty, COUNT(*) AS n, AVG(price) AS avg_price\n"
           "FROM trades GROUP BY symbol WINDOW TUMBLING(ts, 1m)"),
    "wf": ("LAG + AVG OVER RANGE 1 min", ", 'event.time.field' = 'ts'",
           "SELECT trade_id, symbol, price,\n"
           "       LAG(price) OVER (PARTITION BY symbol ORDER BY ts) AS prev_price,\n"
           "       AVG(price) OVER (PARTITION BY symbol ORDER BY ts\n"
           "                        RANGE BETWEEN INTERVAL '1' MINUTE PRECEDING AND CURRENT ROW) AS avg_1m\n"
           "FROM trades"),
    "keys": ("GROUP BY trade_id (distinct keys)", "",
             "SELECT trade_id, COUNT(*) AS n, SUM(quantity) AS qty\nFROM trades GROUP BY trade_id"),
}


sys.path.insert(0, os.path.join(here, "lib"))
import benchlib  # noqa: E402


def run(cmd):
    """Runs cmd; returns (wall seconds, peak RSS bytes, rc, stdout, stderr)."""
    r = benchlib.run(cmd)
    return r["seconds"], r["rss"], r["rc"], r["stdout"], r["stderr"]


count_lines = benchlib.count_lines


def velo_sql(q, fmt):
    src = f"trades_{rows}.{fmt}" + ("?format=csv&header=true" if fmt == "csv" else "")
    path = os.path.join(data, f"s_{q}_{fmt}.sql")
    with open(path, "w") as f:
        f.write(SCHEMA.format(src=src, extra=QUERIES[q][1]) + QUERIES[q][2] +
                f"\nINTO 'file://velo_{q}_{fmt}.jsonl';\n")
    return path


def bench(q, fmt, reps):
    src = os.path.join(data, f"trades_{rows}.{fmt}")
    vout = os.path.join(data, f"velo_{q}_{fmt}.jsonl")
    dout = os.path.join(data, f"duck_{q}_{fmt}.jsonl")
    sql = velo_sql(q, fmt)
    r = {"q": q, "fmt": fmt, "velo_s": None, "velo_rss": 0, "duck_s": None, "duck_q": None,
         "duck_rss": 0, "velo_status": "ok"}
    for _ in range(reps):
        if r["velo_status"] == "ok":
            if os.path.exists(vout):
                os.remove(vout)
            wall, rss, rc, out, err = run([velo, "run", sql, "--quiet"] + benchlib.velo_cores_args(velo, 1))
            if rc != 0:
                if "not supported yet" in err:
                    r["velo_status"] = "not supported yet"
                    r["velo_msg"] = err.strip().splitlines()[0]
                else:
                    sys.exit(f"streaming: velo-sql failed on {q}/{fmt}:\n{err}")
            else:
                r["velo_s"] = min(wall, r["velo_s"] or wall)
                r["velo_rss"] = max(rss, r["velo_rss"])
        wall, rss, rc, out, err = run(["node", peer, q, fmt, src, dout])
        if rc != 0:
            sys.exit(f"streaming: duckdb failed on {q}/{fmt}:\n{err}")
        r["duck_s"] = min(wall, r["duck_s"] or wall)
        qs = json.loads(out)["seconds"]
        r["duck_q"] = min(qs, r["duck_q"] or qs)
        r["duck_rss"] = max(rss, r["duck_rss"])
    r["duck_rows"] = count_lines(dout)
    r["velo_rows"] = count_lines(vout) if r["velo_status"] == "ok" else None
    r["check"] = check(q, vout, dout, r)
    return r


def check(q, vout, dout, r):
    if r["velo_status"] != "ok":
        return "—"
    if r["velo_rows"] != r["duck_rows"]:
        return f"ROWS DIFFER ({r['velo_rows']} vs {r['duck_rows']})"
    if q != "gb":
        return "same row count"
    # DECIMAL sums digit for digit: keep the numbers' text exactly as written.
    def load(path):
        with open(path) as f:
            return {o["symbol"]: o for o in (json.loads(l, parse_float=str, parse_int=str) for l in f)}
    v, d = load(vout), load(dout)
    bad = [f"{s}.{k}: {v[s][k]} vs {d[s].get(k)}" for s in sorted(v) for k in ("notional", "qty", "n")
           if s not in d or v[s][k] != d[s][k]]
    avg = max(abs(float(v[s]["avg_price"]) - float(d[s]["avg_price"])) for s in v)
    if bad or set(v) != set(d):
        return "SUMS DIFFER: " + "; ".join(bad[:3])
    return f"same rows; SUM(price*qty), SUM(qty), COUNT identical text; AVG within {avg:.1e}"


def mib(b):
    return f"{b / 1048576:.0f} MiB"


def mrs(s):
    return f"{rows / s / 1e6:.2f} M" if s else "—"


out = []
out.append(f"## Streaming benchmarks: {rows:,} rows, best of {REPS}, 1 thread each\n")
out.append("rows/s = input rows / wall-clock time of the whole process (velo-sql: parse, plan, read, "
           "write; DuckDB: node start-up + `COPY (query) TO file (FORMAT json)`; DuckDB's query-only "
           "time in brackets). Peak RSS = ru_maxrss of the process (max over the runs); DuckDB's is "
           "the node process, **so it includes node (~50 MiB)**. Ratios = velo-sql rows/s ÷ DuckDB "
           "rows/s (> 1: velo-sql faster), first against DuckDB's query-only time (the conservative "
           "one: velo-sql's includes its process start), then process against process.\n")
out.append("| query | input | velo-sql rows/s | velo-sql peak RSS | DuckDB rows/s | DuckDB peak RSS (incl. node) "
           "| velo/DuckDB query (process) | rows out velo / DuckDB | check |")
out.append("|---|---|---|---|---|---|---|---|---|")
res = []
for fmt in ("jsonl", "csv"):
    for q in ("fp", "gb", "tw", "wf"):
        r = bench(q, fmt, REPS)
        res.append(r)
        if r["velo_status"] == "ok":
            vcol, vrss = mrs(r["velo_s"]), mib(r["velo_rss"])
            ratio = f"{r['duck_q'] / r['velo_s']:.2f} ({r['duck_s'] / r['velo_s']:.2f})"
            rows_out = f"{r['velo_rows']:,} / {r['duck_rows']:,}"
        else:
            vcol, vrss, ratio = r["velo_status"], "—", "—"
            rows_out = f"— / {r['duck_rows']:,}"
        line = (f"| {QUERIES[q][0]} | {fmt} | {vcol} | {vrss} | {mrs(r['duck_s'])} ({mrs(r['duck_q'])}) "
                f"| {mib(r['duck_rss'])} | {ratio} | {rows_out} | {r['check']} |")
        out.append(line)
        print(line, file=sys.stderr, flush=True)

# Memory: GROUP BY over `rows` distinct keys (trade_id is distinct per row), CSV input, one run each.
base = min(r["velo_rss"] for r in res if r["q"] == "gb" and r["velo_status"] == "ok")
k = bench("keys", "csv", 1)
per_key = k["velo_rss"] / rows
net = (k["velo_rss"] - base) / rows
target_ok = net <= 64 + 8 and k["velo_rss"] < 2 * 1024 ** 3
out.append("")
out.append(f"## Memory: GROUP BY trade_id over {rows:,} distinct keys (CSV, COUNT(*) and SUM(quantity))\n")
out.append("| engine | wall | peak RSS | bytes per key (RSS / keys) | net bytes per key ((RSS − GROUP BY symbol RSS) / keys) | rows out | check |")
out.append("|---|---|---|---|---|---|---|")
out.append(f"| velo-sql | {k['velo_s']:.2f} s | {mib(k['velo_rss'])} | {per_key:.0f} | {net:.0f} "
           f"| {k['velo_rows']:,} | {k['check']} |")
out.append(f"| DuckDB (incl. node) | {k['duck_s']:.2f} s | {mib(k['duck_rss'])} | {k['duck_rss'] / rows:.0f} | — "
           f"| {k['duck_rows']:,} | |")
out.append("")
out.append(f"Target of the issue: ≤ 64 bytes per key plus the key (BIGINT: 8 bytes) and under 2 GiB RSS "
           f"for 10M keys. This run: {net:.0f} net bytes per key, {mib(k['velo_rss'])} → "
           f"**{'within' if target_ok else 'ABOVE'} target** (the target is stated for 10M keys; the "
           f"tables grow by doubling, so small runs can flatter or penalise it).")
text = "\n".join(out) + "\n"
os.makedirs(results, exist_ok=True)
with open(os.path.join(results, "streaming.md"), "w") as f:
    f.write(text)
print(text)
if len(sys.argv) > 5:  # the fragment for bench/collect.py
    rows_ = []
    for r in res + [k]:
        ok = r["velo_status"] == "ok"
        v = {"seconds": r["velo_s"], "rss": r["velo_rss"]} if ok else None
        d = {"seconds": r["duck_s"], "query_seconds": r["duck_q"], "rss": r["duck_rss"]}
        rows_.append(benchlib.row("%s (%s)" % (QUERIES[r["q"]][0], r["fmt"]), rows, velo_run=v, peer_run=d,
                                  status="ok" if ok else r["velo_status"], check=r["check"],
                                  rows_out=r["velo_rows"], peer_rows=r["duck_rows"]))
    benchlib.write_fragment(sys.argv[5], "streaming", "Trades file: filter, GROUP BY, windows (velo-sql vs DuckDB)",
                            {"rows": rows, "reps": REPS}, rows_,
                            notes="events = input rows; DuckDB: one thread, query-only time; "
                                  "the last row is GROUP BY over as many keys as rows (memory).")
bad = [r for r in res + [k] if r["check"].startswith(("ROWS", "SUMS"))]
sys.exit(1 if bad else 0)
