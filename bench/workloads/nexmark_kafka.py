#!/usr/bin/env python3
"""Workload: Nexmark q0, q1, q2 and q7 read from a topic of `velo-sql dev-kafka` instead of a file,
at 1 and 2 cores, next to the raw librdkafka consume rate of the same topic in the same run
(kcat -C -e -o beginning > /dev/null). usage: nexmark_kafka.py VELO_SQL DATA_DIR FRAGMENT.json

Events: $VELO_BENCH_NEXMARK_KAFKA_EVENTS (default 200,000; the mock broker keeps only ~5 MB per
partition, so 32 partitions and evenly spread keyless records), seed 42, produced once with
`velo-sql gen nexmark`; the sum of the partitions' high watermarks must equal the event count before
anything is measured. Each query run uses a fresh group id and 'scan.bounded.mode'='latest-offset'
and writes to a file; its rows (sorted) must equal those of the same query on the same events read
from a file. events/s = events / wall seconds of the whole velo-sql process, consumer-group join
(~3 s on the mock) included; the check column also gives the figure minus the same job on an empty
topic (join, start and commit), labelled as such.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import benchlib  # noqa: E402

velo, data, fragment = sys.argv[1], sys.argv[2], sys.argv[3]
QDIR = os.path.join(benchlib.BENCH, "nexmark")
EVENTS = int(os.environ.get("VELO_BENCH_NEXMARK_KAFKA_EVENTS", "200000"))
SEED = 42
PARTITIONS = 32
QUERIES = ["q0", "q1", "q2", "q7"]
sys.path.insert(0, QDIR)
from nexmark_fields import velo_query_on_file  # noqa: E402

os.makedirs(data, exist_ok=True)
work = os.path.join(data, "nexmark_kafka")
os.makedirs(work, exist_ok=True)

# the same events as a file: the reference output of every query
events = os.path.join(data, "nexmark_%d_%d.jsonl" % (EVENTS, SEED))
if not os.path.exists(events):
    g = benchlib.run([velo, "gen", "nexmark", "--events", str(EVENTS), "--seed", str(SEED), "--quiet",
                      "--out", "file://" + events + ".tmp?format=jsonl"])
    if g["rc"]:
        sys.exit("nexmark_kafka: velo-sql gen (file) failed: " + g["stderr"])
    os.rename(events + ".tmp", events)

bootstrap_path = os.path.join(work, "bootstrap")
if os.path.exists(bootstrap_path):
    os.remove(bootstrap_path)
dk = subprocess.Popen([velo, "dev-kafka", "--port", "0", "--partitions", str(PARTITIONS),
                       "--topics", "nexmark,empty"], stdout=open(bootstrap_path, "w"), stderr=subprocess.DEVNULL)
group_seq = [0]


def fresh_group():
    group_seq[0] += 1
    return "bench-nexmark-%d-%d" % (os.getpid(), group_seq[0])


def watermark_sum(bootstrap, topic):
    """Sum over the topic's partitions of (high - low) watermark (Debian's python3-confluent-kafka)."""
    code = ("import confluent_kafka as ck, sys\n"
            "c = ck.Consumer({'bootstrap.servers': sys.argv[1], 'group.id': 'wm'})\n"
            "md = c.list_topics(sys.argv[2], timeout=10)\n"
            "s = 0\n"
            "for p in md.topics[sys.argv[2]].partitions:\n"
            "    lo, hi = c.get_watermark_offsets(ck.TopicPartition(sys.argv[2], p), timeout=10)\n"
            "    s += hi - lo\n"
            "print(s)\n")
    p = subprocess.run(["/usr/bin/python3", "-c", code, bootstrap, topic], capture_output=True, text=True)
    if p.returncode:
        sys.exit("nexmark_kafka: reading watermarks failed: " + p.stderr)
    return int(p.stdout.strip())


def kafka_sql(name, bootstrap, topic, out_path):
    """Query `name` with its sources reading the topic (bounded, fresh group) instead of the generator."""
    text = open(os.path.join(QDIR, name + ".sql")).read()
    with_kafka = ("'kafka://%s/%s', 'format' = 'json', 'scan.bounded.mode' = 'latest-offset', "
                  "'group.id' = '%s', 'kafka.session.timeout.ms' = '6000', "
                  "'kafka.heartbeat.interval.ms' = '500'" % (bootstrap, topic, fresh_group()))
    text = re.sub(r"'nexmark://[^']*'", lambda m: with_kafka, text)
    with open(out_path, "w") as f:
        f.write(text)
    return out_path


def sorted_lines(path):
    with open(path, "rb") as f:
        return sorted(f.read().splitlines())


try:
    import time
    deadline = time.time() + 30
    while not (os.path.exists(bootstrap_path) and os.path.getsize(bootstrap_path)):
        if dk.poll() is not None or time.time() > deadline:
            sys.exit("nexmark_kafka: velo-sql dev-kafka did not start")
        time.sleep(0.1)
    b = open(bootstrap_path).readline().strip()
    uri = "kafka://%s/nexmark?kafka.sticky.partitioning.linger.ms=0&kafka.linger.ms=5" % b
    g = benchlib.run([velo, "gen", "nexmark", "--events", str(EVENTS), "--seed", str(SEED), "--quiet", "--out", uri])
    if g["rc"]:
        sys.exit("nexmark_kafka: velo-sql gen to Kafka failed: " + g["stderr"])
    held = watermark_sum(b, "nexmark")
    if held != EVENTS:
        sys.exit("nexmark_kafka: the topic holds %d of the %d events (the mock keeps ~5 MB per partition): "
                 "lower VELO_BENCH_NEXMARK_KAFKA_EVENTS" % (held, EVENTS))

    raw = benchlib.best_of(benchlib.reps(), lambda: benchlib.run(
        ["kcat", "-b", b, "-C", "-t", "nexmark", "-o", "beginning", "-e", "-q"], stdout_path="/dev/null"))
    if raw["rc"]:
        sys.exit("nexmark_kafka: kcat failed: " + raw["stderr"])
    raw_eps = EVENTS / raw["seconds"]
    print("nexmark_kafka: raw consume (kcat) %.2f s, %.0f events/s" % (raw["seconds"], raw_eps), file=sys.stderr)

    results = []
    for name in QUERIES:
        ref_out = os.path.join(work, "%s_file.jsonl" % name)
        fsql = velo_query_on_file(os.path.join(QDIR, name + ".sql"), events, os.path.join(work, "%s_file.sql" % name))
        f = benchlib.run([velo, "run", fsql, "--quiet"] + benchlib.velo_cores_args(velo, 1), stdout_path=ref_out)
        if f["rc"]:
            results.append(benchlib.row(name, EVENTS, status="skipped: the file run fails",
                                        check=f["stderr"].strip().splitlines()[0] if f["stderr"].strip() else ""))
            continue
        ref = sorted_lines(ref_out)
        for cores in (1, 2):
            cargs = benchlib.velo_cores_args(velo, cores)
            if cores > 1 and not cargs:
                results.append(benchlib.row(name, EVENTS, cores=cores, status="skipped: no --cores yet"))
                continue
            out = os.path.join(work, "%s_kafka_%d.jsonl" % (name, cores))
            empty_out = os.path.join(work, "%s_empty_%d.jsonl" % (name, cores))
            sql = os.path.join(work, "%s_kafka.sql" % name)
            v = benchlib.best_of(benchlib.reps(), lambda: benchlib.run(
                [velo, "run", kafka_sql(name, b, "nexmark", sql), "--quiet"] + cargs, stdout_path=out))
            if v["rc"]:
                msg = (v["stderr"].strip().splitlines() or ["exit %d" % v["rc"]])[0]
                results.append(benchlib.row(name, EVENTS, cores=cores, status="failed from Kafka", check=msg))
                continue
            e = benchlib.run([velo, "run", kafka_sql(name, b, "empty", sql), "--quiet"] + cargs,
                             stdout_path=empty_out)  # once: the fixed cost (group join, start, commit)
            got = sorted_lines(out)
            if got == ref:
                check = "same rows as the file run (%d, sorted)" % len(ref)
            elif len(got) == len(ref):
                check = "ROWS DIFFER (same count %d, different rows)" % len(ref)
            else:
                check = "ROWS DIFFER (%d from Kafka vs %d from the file)" % (len(got), len(ref))
            steady = v["seconds"] - e["seconds"] if e["rc"] == 0 else 0
            if steady > 0 and got == ref:
                check += "; minus empty-topic run (%.2f s): %s events/s, ratio %.2f" % (
                    e["seconds"], "%.0f" % (EVENTS / steady),
                    EVENTS / steady / raw_eps)
            # no figure for a wrong result: the rows and the reason are in the check column
            status = "ok" if got == ref else "wrong result from Kafka"
            label = name
            r = benchlib.row(label, EVENTS, velo_run=v, cores=cores, check=check, rows_out=len(got), status=status,
                             peer_rows=len(ref), empty_topic_seconds=e["seconds"] if e["rc"] == 0 else None)
            r["peer"] = {"engine": "kcat -C (librdkafka consume)", "threads": None, "seconds": raw["seconds"],
                         "query_seconds": None, "peak_rss_bytes": raw["rss"], "events_per_s": raw_eps}
            r["ratio"] = r["events_per_s"] / raw_eps if r["events_per_s"] else None
            results.append(r)
            print("nexmark_kafka %s cores=%d: velo %.2f s wall (empty topic %.2f s), raw %.2f s, %s"
                  % (name, cores, v["seconds"], e["seconds"], raw["seconds"], check), file=sys.stderr)
finally:
    dk.terminate()
    dk.wait()

benchlib.write_fragment(fragment, "nexmark_kafka", "Nexmark queries from Kafka (velo-sql dev-kafka)",
                        {"events": EVENTS, "seed": SEED, "partitions": PARTITIONS, "reps": benchlib.reps()},
                        results,
                        notes="Peer: the raw librdkafka consume of the same topic in the same run (kcat -C -e "
                              "> /dev/null); ratio = velo-sql events/s / raw consume events/s. velo-sql's events/s "
                              "is wall time with the consumer-group join (~3 s on the mock broker); the check "
                              "column adds the figure minus the same job on an empty topic. Rows are checked "
                              "against the same query on the same events read from a file. q7 reads bid twice: each "
                              "reader is its own consumer (group, group-r2) reading every partition.")
bad = [r for r in results if r["check"].startswith("ROWS DIFFER")]
sys.exit(1 if bad else 0)
