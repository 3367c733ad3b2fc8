"""Shared pieces of the benchmark workloads (bench/workloads/*): run a process and measure it,
best of N, the DuckDB peer, and the JSON fragment every workload writes for bench/collect.py.

A fragment is {"workload", "title", "params", "notes", "results": [row, ...]}; a row is
  {"name", "engine", "cores", "events", "seconds", "events_per_s", "events_per_s_per_core",
   "peak_rss_bytes", "rows_out", "status", "check",
   "peer": {"engine", "threads", "seconds", "query_seconds", "events_per_s", "peak_rss_bytes"} | null,
   "ratio": velo events/s / peer events/s | null,
   "latency_p50_ms", "latency_p99_ms": only where latency means something (null otherwise)}
status is "ok", "not supported yet" (the engine refused the query), or "skipped: <why>".
"""
import json
import os
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
DUCKDB_QUERY = os.path.join(BENCH, "duckdb_query.mjs")


class _Popen4(subprocess.Popen):
    """Popen whose wait records the child's own rusage (wait4): peak RSS per process."""
    maxrss = 0

    def _try_wait(self, wait_flags):
        try:
            pid, sts, ru = os.wait4(self.pid, wait_flags)
        except ChildProcessError:
            return self.pid, 0
        if pid == self.pid:
            self.maxrss = ru.ru_maxrss * 1024  # KiB on Linux
        return pid, sts


def run(cmd, stdout_path=None, cwd=None, timeout=1800):
    """Runs cmd; returns {"seconds", "rss", "rc", "stdout", "stderr"} (stdout to a file if given)."""
    out = open(stdout_path, "wb") if stdout_path else subprocess.PIPE
    t0 = time.perf_counter()
    p = _Popen4(cmd, stdout=out, stderr=subprocess.PIPE, cwd=cwd)
    so, se = p.communicate(timeout=timeout)
    secs = time.perf_counter() - t0
    if stdout_path:
        out.close()
    return {"seconds": secs, "rss": p.maxrss, "rc": p.returncode,
            "stdout": (so or b"").decode("utf-8", "replace"), "stderr": se.decode("utf-8", "replace")}


def best_of(reps, fn):
    """Calls fn() reps times; the run with the least seconds, peak RSS the max over runs. Stops at
    the first failing run (rc != 0) and returns it."""
    best, rss = None, 0
    for _ in range(reps):
        r = fn()
        if r["rc"] != 0:
            return r
        rss = max(rss, r["rss"])
        if best is None or r["seconds"] < best["seconds"]:
            best = r
    best["rss"] = rss
    return best


def reps():
    return int(os.environ.get("VELO_BENCH_REPS", "3"))


def count_lines(path):
    n = 0
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 22)
            if not b:
                return n
            n += b.count(b"\n")


_cores_supported = {}


def velo_cores_supported(velo):
    """True when velo-sql run takes --cores N (the thread-per-core runtime)."""
    if velo not in _cores_supported:
        p = subprocess.run([velo, "help"], capture_output=True, text=True)
        run_line = [l for l in p.stdout.splitlines() if l.strip().startswith("run ")]
        _cores_supported[velo] = bool(run_line) and "--cores" in run_line[0]
    return _cores_supported[velo]


def velo_cores_args(velo, cores=1):
    """The arguments that make velo-sql run use `cores` cores: ["--cores", N] once the runtime
    exists (its default is every CPU, so one-core figures must ask for one), else []."""
    return ["--cores", str(cores)] if velo_cores_supported(velo) else []


def duckdb(setup_sql, query_sql, out_path, work):
    """The DuckDB peer, one thread: setup then COPY (query) TO out_path (JSON lines). Returns the
    run() result plus "query_seconds" (DuckDB's own time, without node start-up)."""
    sp, qp = os.path.join(work, "duck_setup.sql"), os.path.join(work, "duck_query.sql")
    with open(sp, "w") as f:
        f.write(setup_sql)
    with open(qp, "w") as f:
        f.write(query_sql)
    r = run(["node", DUCKDB_QUERY, sp, qp, out_path])
    if r["rc"] == 0:
        r["query_seconds"] = json.loads(r["stdout"])["seconds"]
    return r


def ensure_duckdb():
    if not os.path.isdir(os.path.join(BENCH, "node_modules", "@duckdb", "node-api")):
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=BENCH, check=True)


def row(name, events, velo_run=None, cores=1, peer_run=None, status="ok", check="", rows_out=None, **extra):
    """One result row from a velo run and a peer run (either may be None)."""
    r = {"name": name, "engine": "velo-sql", "cores": cores, "events": events, "status": status,
         "check": check, "rows_out": rows_out, "seconds": None, "events_per_s": None,
         "events_per_s_per_core": None, "peak_rss_bytes": None, "peer": None, "ratio": None,
         "latency_p50_ms": None, "latency_p99_ms": None}
    if velo_run and status == "ok":
        r["seconds"] = velo_run["seconds"]
        r["events_per_s"] = events / velo_run["seconds"]
        r["events_per_s_per_core"] = r["events_per_s"] / cores
        r["peak_rss_bytes"] = velo_run["rss"]
    if peer_run:
        p = {"engine": "duckdb", "threads": 1, "seconds": peer_run["seconds"],
             "query_seconds": peer_run.get("query_seconds"), "peak_rss_bytes": peer_run["rss"]}
        # conservative: the peer's query-only time (velo's includes its process start)
        p["events_per_s"] = events / (p["query_seconds"] or p["seconds"])
        r["peer"] = p
        if r["events_per_s"]:
            r["ratio"] = r["events_per_s"] / p["events_per_s"]
    r.update(extra)
    return r


def write_fragment(path, workload, title, params, results, notes=""):
    with open(path, "w") as f:
        json.dump({"workload": workload, "title": title, "params": params, "notes": notes,
                   "results": results}, f, indent=1)
        f.write("\n")
