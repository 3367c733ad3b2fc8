#!/usr/bin/env python3
"""End-to-end: the two-phase GROUP BY (local partial states per core, merged on the key's owner) on
a file with many distinct keys. At --cores 2 the output must equal --cores 1's (as a multiset of
lines), with the default local bound, with a small one (tables flushed early, then rows passed batch
by batch because keys hardly repeat) and with the local phase off; and the peak RSS of the two-phase
run must stay within a bounded margin of the one-phase run's (the local tables are bounded, not a
second copy of every key).

usage: two_phase_group.py PATH/TO/velo-sql
"""
import os
import subprocess
import sys
import tempfile

ROWS = 100000
KEYS = 60000  # most keys repeat once or twice: the local tables reduce little
MARGIN_KB = 48 * 1024  # two bounded local tables (65,536 groups each) and their partial batches


def run(velo, work, sql, cores):
    run.n = getattr(run, "n", 0) + 1
    out = os.path.join(work, "out%d.jsonl" % run.n)
    q = os.path.join(work, "q%d.sql" % run.n)
    with open(q, "w") as f:
        f.write(sql)
    with open(out, "wb") as f:
        p = subprocess.Popen([velo, "run", q, "--quiet", "--cores", str(cores)], cwd=work,
                             stdout=f, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(p.pid, 0)
        err = p.stderr.read().decode()
        p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode:
        sys.exit("velo-sql failed at --cores %d (exit %d):\n%s" % (cores, p.returncode, err))
    with open(out) as f:
        return sorted(f.read().splitlines()), usage.ru_maxrss


def main():
    velo = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="velo-2phase-") as work:
        with open(os.path.join(work, "t.jsonl"), "w") as f:
            for i in range(ROWS):
                k = (i * 7919) % KEYS
                f.write('{"k":%d,"g":"g%d","q":%d,"p":"%d.%02d"}\n' % (k, k % 13, i % 97 - 40, i % 500, i % 100))
        base = ("CREATE STREAM t (k BIGINT, g VARCHAR, q BIGINT, p DECIMAL(10,2)) WITH ('uri'='file://t.jsonl');\n"
                "%sSELECT g, k, COUNT(*) AS n, SUM(q) AS sq, AVG(p) AS ap, MIN(p) AS lo, MAX(q) AS hi "
                "FROM t GROUP BY g, k;\n")
        want, rss1 = run(velo, work, base % "", 1)
        if len(want) != KEYS:
            sys.exit("expected %d groups at --cores 1, got %d" % (KEYS, len(want)))
        failures = []
        rss = {}
        for label, setting in (("default local bound", ""),
                               ("local bound 1000", "SET 'group.local.max.groups' = '1000';\n"),
                               ("local phase off", "SET 'group.local.max.groups' = '0';\n")):
            got, rss[label] = run(velo, work, base % setting, 2)
            if got != want:
                failures.append("%s: --cores 2 differs from --cores 1 (%d vs %d lines)" % (label, len(got), len(want)))
        # a low-cardinality query too: one partial row per key and core
        few = base.replace("GROUP BY g, k", "GROUP BY g").replace("SELECT g, k,", "SELECT g,")
        w1, _ = run(velo, work, few % "", 1)
        w2, _ = run(velo, work, few % "", 2)
        if w1 != w2 or len(w1) != 13:
            failures.append("GROUP BY g: --cores 2 differs from --cores 1")
        limit = rss["local phase off"] + MARGIN_KB
        for label in ("default local bound", "local bound 1000"):
            if rss[label] > limit:
                failures.append("%s: peak RSS %d KB at --cores 2, over the one-phase run's %d KB + %d KB"
                                % (label, rss[label], rss["local phase off"], MARGIN_KB))
        print("peak RSS (KB): --cores 1 %d; --cores 2: %s" % (rss1, ", ".join("%s %d" % kv for kv in rss.items())))
        if failures:
            sys.exit("\n".join(failures))
        print("two-phase GROUP BY: same output at --cores 1 and 2, RSS bounded")


if __name__ == "__main__":
    main()
