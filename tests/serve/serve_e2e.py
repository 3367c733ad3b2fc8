#!/usr/bin/env python3
"""End-to-end tests of `velo-sql serve` and `velo-cli`'s remote commands: real binaries, real HTTP
on 127.0.0.1 (a free port each), real clients (curl, velo-cli, Prometheus), real files and FIFOs.

A FIFO as a job's input keeps the job running for as long as the test wants (the file source blocks
in read(2) until the test writes or closes it): that is how the test watches records flow, stops a
running job and kills the node while a job runs, without timing assumptions.

Usage: serve_e2e.py VELO_SQL VELO_CLI CASE      (CASE: jobs, security, prometheus, kafka_health,
kafka_wake)
Every wait is bounded; a missing optional binary (prometheus, openssl) skips that part with a message.
"""
import errno
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

VELO_SQL, VELO_CLI = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
TOKEN = "s3cret-token-for-tests"
WAIT = 20.0  # seconds: upper bound of every wait (the machine may be busy)

ENV = dict(os.environ)
for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
    ENV.pop(k, None)
ENV["NO_PROXY"] = ENV["no_proxy"] = "*"


def fail(msg):
    raise AssertionError(msg)


def wait_for(what, pred, timeout=WAIT):
    end = time.time() + timeout
    last = None
    while time.time() < end:
        last = pred()
        if last:
            return last
        time.sleep(0.05)
    fail("timed out after %.0f s waiting for %s (last: %r)" % (timeout, what, last))


NODES = []  # every process started, ended by its id at the end whatever happens


class Node:
    """A `velo-sql serve` process on a free port of 127.0.0.1."""

    def __init__(self, workdir, *extra, token=True, tls=None):
        self.workdir, self.token, self.tls = workdir, token, tls
        args = [VELO_SQL, "serve", "--port", "0", "--listen", "127.0.0.1"] + list(extra)
        if token:
            tf = os.path.join(workdir, "token")
            with open(tf, "w") as f:
                f.write(TOKEN + "\n")
            args += ["--auth-token-file", tf]
        if tls:
            args += ["--tls-cert", tls[0], "--tls-key", tls[1]]
        self.log = open(os.path.join(workdir, "serve-%d.log" % time.time_ns()), "w+")
        self.proc = subprocess.Popen(args, cwd=workdir, stdout=self.log, stderr=self.log, env=ENV)
        NODES.append(self.proc)
        self.port = wait_for("the node's listening line", self._port)

    def _port(self):
        if self.proc.poll() is not None:
            fail("velo-sql serve exited with %d:\n%s" % (self.proc.returncode, self.output()))
        for line in self.output().splitlines():
            if "listening on" in line:
                return int(line.split("127.0.0.1:")[1].split()[0])
        return None

    def output(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def request(self, method, path, body=None, headers=None, auth=True):
        h = dict(headers or {})
        if auth and self.token:
            h["Authorization"] = "Bearer " + TOKEN
        if self.tls:
            import ssl
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            c = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=WAIT, context=ctx)
        else:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data

    def json(self, method, path, body=None, expect=200, **kw):
        status, headers, data = self.request(method, path, body, **kw)
        if status != expect:
            fail("%s %s: status %d, expected %d: %s" % (method, path, status, expect, data[:500]))
        return json.loads(data)

    def job(self, jid):
        return self.json("GET", "/v1/jobs/" + jid)

    def cli(self, *args, expect=0):
        cmd = [VELO_CLI, "--sql-host", "127.0.0.1", "--sql-port", str(self.port)]
        if self.token:
            cmd += ["--token", TOKEN]
        p = subprocess.run(cmd + list(args), cwd=self.workdir, capture_output=True, text=True, timeout=60, env=ENV)
        if expect is not None and p.returncode != expect:
            fail("velo-cli %s: exit %d, expected %d\nstdout: %s\nstderr: %s" % (" ".join(args), p.returncode, expect,
                                                                               p.stdout, p.stderr))
        return p

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=WAIT)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                fail("velo-sql serve did not stop within %.0f s of SIGTERM" % WAIT)
            if self.proc.returncode != 0:
                fail("velo-sql serve exited with %d:\n%s" % (self.proc.returncode, self.output()))


def open_fifo_writer(path):
    """Opens the write end once the job has opened the read end (bounded)."""
    def attempt():
        try:
            return os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as e:
            if e.errno == errno.ENXIO:
                return None
            raise
    fd = wait_for("the job to open " + path, attempt)
    os.set_blocking(fd, True)
    return fd


def rows(n, start=0):
    return "".join("S%d,%d.25\n" % (i % 7, i) for i in range(start, start + n)).encode()


def fifo_job(name, fifo, out):
    return ("CREATE STREAM %s_in (symbol VARCHAR, price DECIMAL(12, 2))\n"
            "    WITH ('uri' = 'file://%s?format=csv&header=false');\n"
            "CREATE STREAM %s AS SELECT symbol, price * 2 AS doubled FROM %s_in\n"
            "INTO 'file://%s';\n" % (name, fifo, name, name, out))


def count_lines(path):
    with open(path) as f:
        return sum(1 for _ in f)


# ---------------------------------------------------------------------------------------- jobs

def case_jobs(tmp):
    data = os.path.join(tmp, "data")
    os.mkfifo(os.path.join(tmp, "flow.fifo"))
    os.mkfifo(os.path.join(tmp, "crash.fifo"))
    with open(os.path.join(tmp, "flow.sql"), "w") as f:
        f.write(fifo_job("flow", "flow.fifo", "flow.jsonl"))
    with open(os.path.join(tmp, "small.csv"), "w") as f:
        f.write("symbol,price\nA,1.50\nB,2.25\nC,3\n")
    with open(os.path.join(tmp, "small.sql"), "w") as f:
        f.write("CREATE STREAM small AS SELECT symbol, price FROM 'file://small.csv' WHERE price > 2\n"
                "INTO 'file://small.jsonl';\n")
    with open(os.path.join(tmp, "bad.sql"), "w") as f:
        f.write("CREATE STREAM bad AS\nSELECT UPPERR(symbol) AS s FROM 'file://small.csv'\nINTO 'file://x.jsonl';\n"
                "SELECT * FROM nowhere INTO 'file://y.jsonl';\n")

    node = Node(tmp, "--data-dir", data)
    ready = node.json("GET", "/health/ready", auth=False)
    assert ready["ready"] and ready["status"] == "Healthy", ready

    # submit with curl: SQL text body
    p = subprocess.run(["curl", "-sS", "--noproxy", "*", "-w", "\n%{http_code}", "-H", "Authorization: Bearer " + TOKEN,
                        "--data-binary", "@flow.sql", "http://127.0.0.1:%d/v1/jobs" % node.port],
                       cwd=tmp, capture_output=True, text=True, timeout=60, env=ENV)
    body, code = p.stdout.rsplit("\n", 1)
    if code != "201":
        fail("curl submit: HTTP %s: %s %s" % (code, body, p.stderr))
    flow = json.loads(body)
    assert flow["name"] == "flow" and flow["state"] == "running", flow

    # records flow: 5000 rows into the FIFO; the counters move while the job runs
    wfd = open_fifo_writer(os.path.join(tmp, "flow.fifo"))
    os.write(wfd, rows(5000))
    j = wait_for("records to flow", lambda: (lambda j: j if j["records_in"] >= 4096 else None)(node.job(flow["id"])))
    assert j["state"] == "running" and j["records_out"] >= 4096, j
    assert j["plan"] and j["plan"][0]["name"] == "flow", j["plan"]
    assert "SCAN flow_in" in j["plan_text"], j["plan_text"]
    metrics = node.request("GET", "/metrics")[2].decode()
    assert 'velo_records_in_total{velo_job="flow",job_id="%s",operator="source"} ' % flow["id"] in metrics, metrics

    # submit with velo-cli: a bounded job that finishes
    out = node.cli("submit", "small.sql").stdout
    assert out.startswith("submitted job ") and "(small)" in out, out
    sid = out.split()[2]
    wait_for("the small job to finish", lambda: node.job(sid)["state"] == "finished")
    with open(os.path.join(tmp, "small.jsonl")) as f:
        assert f.read() == '{"symbol":"B","price":2.25}\n{"symbol":"C","price":3.00}\n'

    # invalid SQL: 400 problem+json with every error, velo-cli shows them with positions
    status, headers, body = node.request("POST", "/v1/jobs", open(os.path.join(tmp, "bad.sql"), "rb").read())
    assert status == 400 and headers["content-type"] == "application/problem+json", (status, headers)
    errs = json.loads(body)["errors"]
    assert [(e["line"], e["col"]) for e in errs] == [(2, 8), (4, 15)], errs
    p = node.cli("submit", "bad.sql", expect=1)
    assert "bad.sql:2:8: error:" in p.stderr and "bad.sql:4:15: error:" in p.stderr, p.stderr

    # JSON submission with a name and a bind property
    spec = {"name": "named", "sql": "CREATE STREAM n AS SELECT symbol FROM src INTO 'file://named.jsonl';",
            "properties": {"bind.src": "file://small.csv", "team": "risk"}}
    j = node.json("POST", "/v1/jobs", json.dumps(spec), expect=201, headers={"Content-Type": "application/json"})
    assert j["name"] == "named" and j["properties"]["team"] == "risk", j
    wait_for("the named job to finish", lambda: node.job(j["id"])["state"] == "finished")
    assert count_lines(os.path.join(tmp, "named.jsonl")) == 3
    # the same name again while a job of that name runs is a conflict; ended jobs do not count
    node.json("POST", "/v1/jobs", json.dumps(spec), expect=201, headers={"Content-Type": "application/json"})

    # validate, local and remote, agree
    loc = node.cli("validate", "bad.sql", "--format", "json", expect=1).stdout
    rem = node.cli("--remote", "validate", "bad.sql", "--format", "json", expect=1).stdout
    assert json.loads(loc) == json.loads(rem), (loc, rem)
    v = node.json("POST", "/v1/validate", open(os.path.join(tmp, "small.sql"), "rb").read())
    assert v["valid"] and v["plans"][0]["name"] == "small", v

    # listings: tables and JSON
    table = node.cli("jobs").stdout
    assert table.splitlines()[0].split() == ["ID", "NAME", "STATE", "IN", "OUT", "ERRORS", "STARTED"], table
    assert "flow" in table and "running" in table, table
    listed = json.loads(node.cli("jobs", "--format", "json").stdout)["jobs"]
    assert len(listed) == 4, listed
    st = node.cli("status", "--refresh", "0.1", "--count", "2").stdout
    assert st.count("version 0.1.0") == 2, st
    assert node.cli("health").stdout.startswith("node 127.0.0.1:%d: Healthy" % node.port)

    # graceful stop: drains, flushes, ends as stopped; nothing read is lost
    p = node.cli("stop", flow["id"], "--wait", "0")
    assert "stopping" in p.stdout, p.stdout
    os.close(wfd)  # the source reaches the end of what was written; the job ends
    wait_for("the flow job to stop", lambda: node.job(flow["id"])["state"] == "stopped")
    assert count_lines(os.path.join(tmp, "flow.jsonl")) == 5000

    # a job running when the node is killed with -9 runs again after the restart
    with open(os.path.join(tmp, "crash.sql"), "w") as f:
        f.write(fifo_job("crash", "crash.fifo", "crash.jsonl"))
    crash = node.json("POST", "/v1/jobs", open(os.path.join(tmp, "crash.sql"), "rb").read(), expect=201)
    wfd = open_fifo_writer(os.path.join(tmp, "crash.fifo"))
    os.write(wfd, rows(3000))
    wait_for("crash records to flow", lambda: node.job(crash["id"])["records_in"] >= 2048)
    small_mtime = os.stat(os.path.join(tmp, "small.jsonl")).st_mtime_ns
    node.kill9()
    os.close(wfd)

    node = Node(tmp, "--data-dir", data)
    wait_for("readiness after the restart", lambda: node.request("GET", "/health/ready", auth=False)[0] == 200)
    j = node.job(crash["id"])
    assert j["state"] == "running" and j["restarts"] == 1, j
    # file sources are read again from their start (docs/rest-api.md): the producer replays its input
    wfd = open_fifo_writer(os.path.join(tmp, "crash.fifo"))
    os.write(wfd, rows(3000) + rows(2000, 3000))
    os.close(wfd)
    wait_for("the restored job to finish", lambda: node.job(crash["id"])["state"] == "finished")
    got = [json.loads(l)["doubled"] for l in open(os.path.join(tmp, "crash.jsonl"))]
    assert len(got) == 5000 and len(set(got)) == 5000, "restored job lost or repeated records: %d" % len(got)
    # ended jobs keep their state and are not run again
    assert node.job(flow["id"])["state"] == "stopped"
    assert node.job(sid)["state"] == "finished"
    assert os.stat(os.path.join(tmp, "small.jsonl")).st_mtime_ns == small_mtime

    # a forced stop cancels at once, and a cancelled job is not run again after a restart
    os.mkfifo(os.path.join(tmp, "forced.fifo"))
    with open(os.path.join(tmp, "forced.sql"), "w") as f:
        f.write(fifo_job("forced", "forced.fifo", "forced.jsonl"))
    forced = node.json("POST", "/v1/jobs", open(os.path.join(tmp, "forced.sql"), "rb").read(), expect=201)
    wfd = open_fifo_writer(os.path.join(tmp, "forced.fifo"))
    out = json.loads(node.cli("stop", forced["id"], "--force", "--format", "json").stdout)
    assert out["state"] == "cancelled", out
    os.close(wfd)
    wait_for("the forced job's thread to end", lambda: node.job(forced["id"])["ended_at"])
    assert node.job(forced["id"])["state"] == "cancelled"

    # purge removes an ended job from the node and the data dir
    node.json("DELETE", "/v1/jobs/%s?purge=true" % sid)
    node.json("GET", "/v1/jobs/" + sid, expect=404)
    assert not os.path.exists(os.path.join(data, "jobs", sid + ".json"))
    node.stop()
    node = Node(tmp, "--data-dir", data)
    jobs = {j["id"]: j for j in node.json("GET", "/v1/jobs")["jobs"]}
    assert len(jobs) == 5 and jobs[forced["id"]]["state"] == "cancelled", jobs
    health = json.loads(node.cli("health", "--format", "json").stdout)
    assert health["ready"] and {j["id"] for j in health["jobs"]} == set(jobs), health
    node.stop()


# ---------------------------------------------------------------------------------------- security

def case_security(tmp):
    node = Node(tmp, "--max-body", "4096")
    # the token guards everything but /health/*
    assert node.request("GET", "/health/live", auth=False)[0] == 200
    assert node.request("GET", "/health/ready", auth=False)[0] == 200
    for path in ("/v1/jobs", "/metrics", "/v1/info"):
        status, headers, body = node.request("GET", path, auth=False)
        assert status == 401 and headers.get("www-authenticate", "").startswith("Bearer"), (path, status, headers)
        assert json.loads(body)["status"] == 401
    assert node.request("GET", "/v1/jobs", auth=False, headers={"Authorization": "Bearer wrong"})[0] == 401
    assert node.request("GET", "/v1/jobs", auth=False, headers={"Authorization": "Basic " + TOKEN})[0] == 401
    p = subprocess.run([VELO_CLI, "--sql-port", str(node.port), "jobs"], capture_output=True, text=True, env=ENV)
    assert p.returncode == 1 and "401" in p.stderr and "--token" in p.stderr, (p.returncode, p.stderr)

    # malformed and oversized requests get 4xx
    def status_of(method, path, body=None, headers=None):
        return node.request(method, path, body, headers)[0]
    jh = {"Content-Type": "application/json"}
    assert status_of("POST", "/v1/jobs", b'{"sql": "SELECT 1", ', jh) == 400
    assert status_of("POST", "/v1/jobs", b'{"sql": 5}', jh) == 400
    assert status_of("POST", "/v1/jobs", b'{"sql": "x", "sql": "y"}', jh) == 400
    assert status_of("POST", "/v1/jobs", b'{"sql": "x", "surprise": 1}', jh) == 400
    assert status_of("POST", "/v1/jobs", b'{"sql": "x", "name": "../etc"}', jh) == 400
    assert status_of("POST", "/v1/jobs", b'[1, 2]', jh) == 400
    assert status_of("POST", "/v1/jobs", b'') == 400
    assert status_of("POST", "/v1/jobs", b'SELECT \x00') == 400
    assert status_of("POST", "/v1/jobs", b'SELECT 1 FROM x' + b' ' * 5000) == 413
    status, headers, _ = node.request("PUT", "/v1/jobs", b"x")
    assert status == 405 and "POST" in headers.get("allow", ""), (status, headers)
    assert status_of("POST", "/metrics") == 405
    assert status_of("GET", "/v1/nothing") == 404
    assert status_of("DELETE", "/v1/jobs/0123456789abcdef") == 404
    # a chunked body without Content-Length past the limit
    s = socket.create_connection(("127.0.0.1", node.port), timeout=WAIT)
    chunk = b"A" * 1000
    req = (b"POST /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN.encode() +
           b"\r\nTransfer-Encoding: chunked\r\n\r\n" + (b"3e8\r\n" + chunk + b"\r\n") * 10 + b"0\r\n\r\n")
    s.sendall(req)
    assert s.recv(4096).startswith(b"HTTP/1.1 413"), "chunked oversized body"
    s.close()
    # a client that sends half a request does not block the node
    slow = socket.create_connection(("127.0.0.1", node.port), timeout=WAIT)
    slow.sendall(b"POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nSELECT")
    assert node.request("GET", "/health/live")[0] == 200
    assert node.json("GET", "/v1/info")["auth"] is True
    slow.close()
    # the node is still alive and counted the answers
    metrics = node.request("GET", "/metrics")[2].decode()
    assert 'velo_http_responses_total{code="4xx"}' in metrics
    node.stop()

    # the CLI says clearly when no node is there
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    p = subprocess.run([VELO_CLI, "--sql-port", str(port), "jobs"], capture_output=True, text=True, env=ENV)
    assert p.returncode == 3 and "cannot reach the node at http://127.0.0.1:%d" % port in p.stderr, p.stderr
    p = subprocess.run([VELO_CLI, "--sql-port", str(port), "health"], capture_output=True, text=True, env=ENV)
    assert p.returncode == 1 and "cannot reach the node" in p.stderr, p.stderr

    # a second node may not take a port in use
    other = Node(tmp)
    p = subprocess.run([VELO_SQL, "serve", "--port", str(other.port)], capture_output=True, text=True, env=ENV,
                       timeout=WAIT)
    assert p.returncode == 2 and "cannot listen on 127.0.0.1:%d" % other.port in p.stderr, p.stderr
    other.stop()

    # TLS with a self-signed certificate
    if not shutil.which("openssl"):
        print("security: openssl not found, TLS part skipped (install it: scripts/install-deps.sh)")
        return
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True, timeout=60)
    tnode = Node(tmp, tls=(cert, key))
    assert tnode.request("GET", "/health/live")[0] == 200
    p = tnode.cli("--tls", "--cacert", cert, "health", expect=None)
    assert p.returncode == 0, p.stderr
    p = subprocess.run(["curl", "-sS", "--noproxy", "*", "-k", "-H", "Authorization: Bearer " + TOKEN,
                        "https://127.0.0.1:%d/v1/info" % tnode.port], capture_output=True, text=True, env=ENV)
    assert json.loads(p.stdout)["tls"] is True, p.stdout + p.stderr
    tnode.stop()


# ---------------------------------------------------------------------------------------- prometheus

def case_prometheus(tmp):
    os.mkfifo(os.path.join(tmp, "m.fifo"))
    node = Node(tmp, "--cores", "2")  # every job runs on 2 cores (the stateless one split over both)
    job = node.json("POST", "/v1/jobs", fifo_job("metered", "m.fifo", "m.jsonl").encode(), expect=201)
    wfd = open_fifo_writer(os.path.join(tmp, "m.fifo"))
    os.write(wfd, rows(3000))
    os.close(wfd)
    wait_for("the metered job to finish", lambda: node.job(job["id"])["state"] == "finished")
    text = node.request("GET", "/metrics")[2]
    assert b'velo_records_in_total{velo_job="metered",job_id="%s",operator="source"} 3000' % job["id"].encode() in text
    assert b'velo_processing_latency_seconds_count{velo_job="metered",job_id="%s"} ' % job["id"].encode() in text
    assert b"\nvelo_cores 2\n" in text, text

    # a windowed job with a late row, kept running by its FIFO: late records, state and watermark lag
    os.mkfifo(os.path.join(tmp, "w.fifo"))
    wjob = node.json("POST", "/v1/jobs", (
        "CREATE STREAM t (id BIGINT, ts TIMESTAMP, symbol VARCHAR)\n"
        "    WITH ('uri' = 'file://w.fifo?format=csv&header=false', 'event.time.field' = 'ts',\n"
        "          'watermark.delay' = '0s');\n"
        "CREATE STREAM windowed AS SELECT symbol, window_start, COUNT(*) AS n FROM t\n"
        "GROUP BY symbol WINDOW TUMBLING(1m) INTO 'file://w.jsonl';\n").encode(), expect=201)
    wfd = open_fifo_writer(os.path.join(tmp, "w.fifo"))
    # the file source hands over full batches (2,048 rows): 2,500 rows in [10:00, 10:01), one at
    # 10:01:05 that closes that window, one at 10:00:59 that is late, then rows of the open window
    # (enough to fill the second batch; the rest stays in the reader until the FIFO closes)
    late = ["%d,2026-11-24T10:00:%02dZ,S%d\n" % (i, i % 60, i % 7) for i in range(2500)]
    late += ["2500,2026-11-24T10:01:05Z,AAPL\n", "2501,2026-11-24T10:00:59Z,AAPL\n"]
    late += ["%d,2026-11-24T10:01:%02dZ,S%d\n" % (2502 + i, 5 + i % 50, i % 7) for i in range(3500)]
    os.write(wfd, "".join(late).encode())
    labels = b'{velo_job="windowed",job_id="%s"}' % wjob["id"].encode()

    def sample(name, text):
        for line in text.splitlines():
            if line.startswith(name + labels + b" "):
                return float(line.split()[-1])
        return None

    def measured():
        t = node.request("GET", "/metrics")[2]
        late, state = sample(b"velo_late_records_total", t), sample(b"velo_state_bytes", t)
        wm_lag = sample(b"velo_watermark_lag_seconds", t)
        return t if late and late >= 1 and state and state > 0 and wm_lag and wm_lag > 0 else None
    text = wait_for("late records, state bytes and watermark lag of the windowed job", measured)
    assert b'velo_errors_total{velo_job="windowed",job_id="%s",kind="late"} 1' % wjob["id"].encode() in text, text
    os.close(wfd)
    wait_for("the windowed job to finish", lambda: node.job(wjob["id"])["state"] == "finished")

    promtool = shutil.which("promtool")
    if promtool:
        p = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, timeout=60)
        assert p.returncode == 0, "promtool check metrics:\n%s%s" % (p.stdout.decode(), p.stderr.decode())
    else:
        print("prometheus: promtool not found, lint skipped (install prometheus: scripts/install-deps.sh)")
    prom = shutil.which("prometheus")
    if not prom:
        print("prometheus: the prometheus binary is not installed, scrape test skipped "
              "(install it: scripts/install-deps.sh)")
        node.stop()
        return
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    pport = s.getsockname()[1]
    s.close()
    with open(os.path.join(tmp, "token"), "w") as f:
        f.write(TOKEN)
    cfg = os.path.join(tmp, "prometheus.yml")
    with open(cfg, "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                "scrape_configs:\n  - job_name: velo\n"
                "    authorization:\n      credentials_file: %s\n"
                "    static_configs:\n      - targets: ['127.0.0.1:%d']\n" % (os.path.join(tmp, "token"), node.port))
    plog = open(os.path.join(tmp, "prometheus.log"), "w")
    pp = subprocess.Popen([prom, "--config.file=" + cfg, "--storage.tsdb.path=" + os.path.join(tmp, "tsdb"),
                           "--web.listen-address=127.0.0.1:%d" % pport, "--log.level=warn"],
                          stdout=plog, stderr=plog, env=ENV, cwd=tmp)
    try:
        def query():
            if pp.poll() is not None:
                fail("prometheus exited with %d:\n%s" % (pp.returncode, open(plog.name).read()))
            try:
                c = http.client.HTTPConnection("127.0.0.1", pport, timeout=5)
                c.request("GET", "/api/v1/query?query=velo_records_in_total%7Bvelo_job%3D%22metered%22%7D")
                r = json.loads(c.getresponse().read())
                c.close()
            except (OSError, ValueError):
                return None
            res = r.get("data", {}).get("result", [])
            return res[0] if res else None
        sample = wait_for("Prometheus to scrape the node", query, timeout=60)
        assert sample["value"][1] == "3000", sample
        # the velo job's name does not clash with the scrape job (no honor_labels, no exported_job)
        assert sample["metric"].get("job") == "velo" and "exported_job" not in sample["metric"], sample
    finally:
        pp.terminate()
        try:
            pp.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            pp.kill()
    node.stop()


# ---------------------------------------------------------------------------------------- kafka_health

def start_dev_kafka(port):
    """`velo-sql dev-kafka` on a fixed bootstrap port (so it can come back on the same one)."""
    p = subprocess.Popen([VELO_SQL, "dev-kafka", "--port", str(port), "--topics", "events", "--partitions", "2"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=ENV)
    NODES.append(p)
    line = p.stdout.readline().strip()
    if line != "127.0.0.1:%d" % port:
        fail("dev-kafka printed %r, expected 127.0.0.1:%d" % (line, port))
    return p


def case_kafka_health(tmp):
    """A Kafka source whose broker goes away makes its job Degraded with librdkafka's words (in
    /health/ready and GET /v1/jobs/{id}); when the broker is back on the same port the job is
    Healthy again by itself, without a restart."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    dk = start_dev_kafka(port)
    node = Node(tmp)
    job = node.json("POST", "/v1/jobs", (
        "CREATE STREAM ev (id BIGINT) WITH ('uri' = 'kafka://127.0.0.1:%d/events');\n"
        "CREATE STREAM copied AS SELECT id FROM ev INTO 'file://copied.jsonl';\n" % port).encode(), expect=201)

    def job_status():
        ready = node.json("GET", "/health/ready")
        return [j for j in ready["jobs"] if j["id"] == job["id"]][0]
    # the source reads its partitions: a lag sample per partition
    wait_for("consumer lag samples of both partitions", lambda: all(
        b'velo_kafka_consumer_lag{velo_job="copied",job_id="%s",topic="events",partition="%d"} ' % (job["id"].encode(), p)
        in node.request("GET", "/metrics")[2] for p in (0, 1)))
    assert job_status()["status"] == "Healthy", job_status()

    dk.kill()
    dk.wait(timeout=WAIT)
    down = wait_for("the job to be Degraded once its broker is gone",
                    lambda: (lambda j: j if j["status"] == "Degraded" else None)(job_status()))
    reason = down["reason"]
    assert "kafka source 'ev'" in reason and "127.0.0.1:%d" % port in reason and "librdkafka" in reason, reason
    detail = node.job(job["id"])
    assert detail["state"] == "running" and detail["health"]["status"] == "Degraded", detail
    assert "librdkafka" in detail["health"]["reason"], detail
    ready = node.json("GET", "/health/ready")
    assert ready["status"] == "Degraded" and ready["ready"] is True, ready
    assert b'velo_job_degraded{velo_job="copied",job_id="%s"} 1' % job["id"].encode() in node.request("GET", "/metrics")[2]

    dk = start_dev_kafka(port)  # librdkafka retries with backoff (at most 10 s between attempts)
    wait_for("the job to be Healthy again once its broker is back",
             lambda: job_status()["status"] == "Healthy", timeout=60)
    assert node.job(job["id"])["health"]["status"] == "Healthy"
    node.json("DELETE", "/v1/jobs/" + job["id"], expect=202)
    wait_for("the Kafka job to stop", lambda: node.job(job["id"])["state"] == "stopped")
    node.stop()
    dk.terminate()
    dk.wait(timeout=WAIT)


# ------------------------------------------------------------------------------------------- kafka_wake

def core_wakeups(node, job_id):
    """{(core, cause): count} from velo_core_wakeups_total of one job."""
    out = {}
    prefix = 'velo_core_wakeups_total{velo_job="copy",job_id="%s",core="' % job_id
    for line in node.request("GET", "/metrics")[2].decode().splitlines():
        if line.startswith(prefix):
            core, rest = line[len(prefix):].split('",cause="')
            cause, value = rest.split('"} ')
            out[(int(core), cause)] = int(value)
    return out


def case_kafka_wake(tmp):
    """Records produced to an idle Kafka -> Kafka job on --cores 2 (each core reads two of the four
    partitions into a producer of its own) wake the core that owns them through its eventfd
    (librdkafka's queue IO event), not through the end of its sleep limit: each core's doorbell
    wake-up count grows. Nothing else writes a core's eventfd in this layout (no exchange; core 0's
    notes only at a rebalance), so a broken wake path would leave it unchanged."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    dk = subprocess.Popen([VELO_SQL, "dev-kafka", "--port", str(port), "--topics", "wake_in,wake_out",
                           "--partitions", "4"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=ENV)
    NODES.append(dk)
    b = dk.stdout.readline().strip()
    node = Node(tmp, "--cores", "2")
    job = node.json("POST", "/v1/jobs", (
        "CREATE STREAM ev (id BIGINT) WITH ('uri' = 'kafka://%s/wake_in', 'group.id' = 'wake');\n"
        "CREATE STREAM copy AS SELECT id FROM ev INTO 'kafka://%s/wake_out';\n" % (b, b)).encode(), expect=201)
    wait_for("consumer lag samples of the four partitions (the group assigned them)", lambda: all(
        b'velo_kafka_consumer_lag{velo_job="copy",job_id="%s",topic="wake_in",partition="%d"} ' % (job["id"].encode(), p)
        in node.request("GET", "/metrics")[2] for p in range(4)))
    before = wait_for("per-core wake-up counters of both cores",
                      lambda: (lambda w: w if (1, "doorbell") in w and (0, "doorbell") in w else None)(
                          core_wakeups(node, job["id"])))
    for p in range(4):
        subprocess.run(["kcat", "-b", b, "-P", "-t", "wake_in", "-p", str(p)], input=b'{"id": %d}\n' % p,
                       check=True, timeout=WAIT, env=ENV)

    def copied():
        out = subprocess.run(["kcat", "-b", b, "-C", "-t", "wake_out", "-o", "beginning", "-e", "-q"],
                             capture_output=True, timeout=WAIT, env=ENV).stdout.decode().split()
        return sorted(json.loads(x)["id"] for x in out) if len(out) >= 4 else None
    assert wait_for("the four records in wake_out", copied) == [0, 1, 2, 3]
    after = wait_for("doorbell wake-ups of both cores",
                     lambda: (lambda w: w if all(w.get((c, "doorbell"), 0) > before[(c, "doorbell")]
                                                 for c in (0, 1)) else None)(core_wakeups(node, job["id"])))
    print("wake-ups before %r, after %r" % (before, after))
    node.json("DELETE", "/v1/jobs/" + job["id"], expect=202)
    wait_for("the Kafka job to stop", lambda: node.job(job["id"])["state"] == "stopped")
    node.stop()
    dk.terminate()
    dk.wait(timeout=WAIT)


def main():
    case = sys.argv[3]
    tmp = tempfile.mkdtemp(prefix="velo-serve-")
    try:
        {"jobs": case_jobs, "security": case_security, "prometheus": case_prometheus,
         "kafka_health": case_kafka_health, "kafka_wake": case_kafka_wake}[case](tmp)
    except AssertionError as e:
        print("serve_e2e %s: FAILED: %s" % (case, e))
        for name in sorted(os.listdir(tmp)):
            if name.startswith("serve-") and name.endswith(".log"):
                print("---- %s\n%s" % (name, open(os.path.join(tmp, name)).read()))
        raise
    finally:
        # leave no process behind: any node still running is ended by its id
        for p in NODES:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    print("serve_e2e %s: ok" % case)


if __name__ == "__main__":
    main()
