#!/usr/bin/env python3
"""Control-plane load test (make bench): does serving /metrics and /v1/jobs at >= 1,000 requests/s
slow a running job down? On loopback only, bounded in time.

The same job (filter + project of the trades CSV to JSON lines, the filter_project benchmark, its
input read COPIES times through a glob of symlinks) runs on `velo-sql serve` three times: alone,
under wrk load (GET /metrics and GET /v1/jobs alternately, paced connections), and alone again.
Reported: wrk's request rate, latency and errors, and the job's records/s from the node's own
started_at/ended_at, without and with the load (the no-load figure is the better of the two
unloaded runs). Results go to bench/results/control_plane.txt.

usage: control_plane.py BUILD_DIR DATA_DIR ROWS [RESULTS_DIR [FRAGMENT.json]]
With FRAGMENT.json, the figures also go to a workload fragment for bench/collect.py
(bench/workloads/control_plane.sh).
"""
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime

build, data, rows = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), int(sys.argv[3])
results = sys.argv[4] if len(sys.argv) > 4 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
COPIES = int(os.environ.get("VELO_BENCH_CP_COPIES", "4"))
CONNECTIONS = int(os.environ.get("VELO_BENCH_CP_CONNECTIONS", "4"))
DELAY_MS = os.environ.get("VELO_BENCH_CP_DELAY_MS", "2")
TOKEN = "bench-token"
ENV = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}


def main():
    if not shutil.which("wrk"):
        print("control_plane: wrk is not installed (scripts/install-deps.sh installs it); skipped")
        return
    csv = os.path.join(data, "trades_%d.csv" % rows)
    if not os.path.exists(csv):
        sys.exit("control_plane: %s is missing (bench/run.sh generates it)" % csv)
    work = tempfile.mkdtemp(prefix="velo-bench-cp-")
    node = None
    try:
        for i in range(COPIES):
            os.symlink(csv, os.path.join(work, "in_%02d.csv" % i))
        with open(os.path.join(work, "token"), "w") as f:
            f.write(TOKEN)
        log = open(os.path.join(work, "serve.log"), "w+")
        node = subprocess.Popen([os.path.join(build, "velo-sql"), "serve", "--port", "0", "--data-dir",
                                 os.path.join(work, "data"), "--auth-token-file", os.path.join(work, "token")],
                                cwd=work, stdout=log, stderr=log, env=ENV)
        port = None
        for _ in range(200):
            log.seek(0)
            m = re.search(r"127\.0\.0\.1:(\d+) ", log.read())
            if m:
                port = int(m.group(1))
                break
            time.sleep(0.05)
        if not port:
            sys.exit("control_plane: the node did not start")

        def call(method, path, body=None):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            c.request(method, path, body=body, headers={"Authorization": "Bearer " + TOKEN})
            r = c.getresponse()
            d = json.loads(r.read())
            c.close()
            return d

        def run_job(name, load_seconds=None):
            sql = ("CREATE STREAM trades (trade_id BIGINT, ts TIMESTAMP, symbol VARCHAR, trader VARCHAR, side VARCHAR,\n"
                   "                      price DECIMAL(12, 2), quantity BIGINT)\n"
                   "    WITH ('uri' = 'file://in_*.csv?format=csv&header=true');\n"
                   "CREATE STREAM %s AS SELECT trade_id, symbol, price, quantity, price * quantity AS notional\n"
                   "FROM trades WHERE side = 'BUY' AND quantity >= 500 INTO 'file://%s.jsonl';\n" % (name, name))
            job = call("POST", "/v1/jobs", sql)
            wrk = None
            if load_seconds:
                wrk = subprocess.Popen(wrk_cmd(load_seconds), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                       env=dict(ENV, VELO_TOKEN=TOKEN, VELO_WRK_DELAY_MS=DELAY_MS))
            deadline = time.time() + 600
            while True:
                j = call("GET", "/v1/jobs/" + job["id"])
                if j["state"] != "running" or time.time() > deadline:
                    break
                time.sleep(0.2)
            out = wrk.communicate(timeout=load_seconds + 60)[0] if wrk else None
            os.unlink(os.path.join(work, name + ".jsonl"))
            if j["state"] != "finished":
                sys.exit("control_plane: job %s ended %s: %s" % (name, j["state"], j.get("error")))
            secs = (parse_time(j["ended_at"]) - parse_time(j["started_at"]))
            return j["records_in"], secs, out

        def node_cpu():
            with open("/proc/%d/stat" % node.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

        def wrk_cmd(seconds):
            return ["wrk", "-t1", "-c%d" % CONNECTIONS, "-d%ds" % seconds, "--latency", "-s",
                    os.path.join(os.path.dirname(os.path.abspath(__file__)), "control_plane_wrk.lua"),
                    "http://127.0.0.1:%d" % port]

        n0, t0, _ = run_job("alone_1")
        # the load covers the whole loaded run: it starts with the job and lasts longer than it
        n1, t1, wrk_out = run_job("loaded", load_seconds=int(t0 * 1.5) + 3)
        n2, t2, _ = run_job("alone_2")
        # what serving the load costs the node by itself: its CPU time under wrk with no job running
        cpu0 = node_cpu()
        only = subprocess.run(wrk_cmd(5), capture_output=True, text=True, timeout=60,
                              env=dict(ENV, VELO_TOKEN=TOKEN, VELO_WRK_DELAY_MS=DELAY_MS)).stdout
        cpu = node_cpu() - cpu0
        only_rps = re.search(r"Requests/sec:\s*([\d.]+)", only)
        calm = max(n0 / t0, n2 / t2)
        loaded = n1 / t1
        rps = re.search(r"Requests/sec:\s*([\d.]+)", wrk_out)
        non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", wrk_out)
        sock = re.search(r"Socket errors:.*", wrk_out)
        lat = re.search(r"99%\s+(\S+)", wrk_out)
        total = re.search(r"(\d+) requests in", wrk_out)
        lines = [
            "control plane under load: %d rows x %d (%d records per run), %d wrk connections paced at %s ms"
            % (rows, COPIES, n0, CONNECTIONS, DELAY_MS),
            "  wrk: %s requests/s on /metrics + /v1/jobs, %s requests, p99 latency %s, non-2xx: %s, %s"
            % (rps.group(1) if rps else "?", total.group(1) if total else "?", lat.group(1) if lat else "?",
               non2xx.group(1) if non2xx else "0", sock.group(0) if sock else "socket errors: none"),
            "  job alone:      %.2f M records/s (runs: %.2f s, %.2f s)" % (calm / 1e6, t0, t2),
            "  job under load: %.2f M records/s (%.2f s)" % (loaded / 1e6, t1),
            "  throughput change under load: %+.1f %%" % ((loaded / calm - 1) * 100),
            "  the node's own CPU for the load alone (5 s, no job): %.2f s = %.1f %% of one core at %s requests/s"
            % (cpu, cpu / 5 * 100, only_rps.group(1) if only_rps else "?"),
            "  load average at the end: %s (2 cores, shared machine)" % " ".join(open("/proc/loadavg").read().split()[:3]),
        ]
        text = "\n".join(lines) + "\n"
        print(text, end="")
        os.makedirs(results, exist_ok=True)
        with open(os.path.join(results, "control_plane.txt"), "w") as f:
            f.write(text + "\nwrk output:\n" + wrk_out)
        if len(sys.argv) > 5:
            write_fragment(sys.argv[5], n0, t0, t2, n1, t1, wrk_out, rps, lat, calm, loaded, cpu)
        if non2xx or (sock and "none" not in sock.group(0)):
            sys.exit("control_plane: the node answered errors under load")
    finally:
        if node and node.poll() is None:
            node.send_signal(signal.SIGTERM)
            node.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


def write_fragment(path, n0, t0, t2, n1, t1, wrk_out, rps, lat, calm, loaded, cpu):
    """The figures as a workload fragment (bench/lib/benchlib.py): the job alone, the job under
    load (ratio: loaded / alone) and wrk's requests with their p99 latency."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
    import benchlib

    def ms(text):
        m = re.match(r"([\d.]+)(us|ms|s)$", text or "")
        return None if not m else float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]

    alone = benchlib.row("job alone (filter+project, serve)", n0, velo_run={"seconds": min(t0, t2), "rss": 0})
    under = benchlib.row("job under wrk load", n1, velo_run={"seconds": t1, "rss": 0},
                         check="throughput change under load: %+.1f %%" % ((loaded / calm - 1) * 100))
    under["ratio"] = loaded / calm
    reqs = int(re.search(r"(\d+) requests in", wrk_out).group(1)) if re.search(r"(\d+) requests in", wrk_out) else 0
    load = benchlib.row("wrk GET /metrics + /v1/jobs", reqs, check="node CPU for the load alone: %.2f s in 5 s" % cpu)
    load["events_per_s"] = float(rps.group(1)) if rps else None
    load["latency_p99_ms"] = ms(lat.group(1)) if lat else None
    for r in (alone, under, load):
        r["peak_rss_bytes"] = None
    benchlib.write_fragment(path, "control_plane", "Control plane under load (velo-sql serve + wrk)",
                            {"rows": rows, "copies": COPIES, "connections": CONNECTIONS}, [alone, under, load],
                            notes="events = records of the job (requests for wrk); ratio of the loaded job = "
                                  "its records/s / the job alone; no peer.")


def parse_time(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()


if __name__ == "__main__":
    main()
