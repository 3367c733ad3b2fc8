#!/usr/bin/env python3
"""`velo-sql gen nexmark` end to end: the same seed writes the same file byte for byte, another
seed another file; every line is one event with event_type and only its kind's fields; 1:3:46;
usage errors exit 2. usage: gen_cli.py PATH/TO/velo-sql"""
import collections
import json
import os
import subprocess
import sys
import tempfile

FIELDS = {0: {"event_type", "id", "name", "emailAddress", "creditCard", "city", "state", "dateTime", "extra"},
          1: {"event_type", "id", "itemName", "description", "initialBid", "reserve", "expires", "seller",
              "category", "dateTime", "extra"},
          2: {"event_type", "auction", "bidder", "price", "channel", "url", "dateTime", "extra"}}


def main():
    velo = os.path.abspath(sys.argv[1])
    bad = []
    with tempfile.TemporaryDirectory(prefix="velo-gen-") as work:
        def gen(*args):
            return subprocess.run([velo, "gen", "nexmark"] + list(args), cwd=work, capture_output=True, text=True)

        for name, seed in (("a.jsonl", "42"), ("b.jsonl", "42"), ("c.jsonl", "43")):
            p = gen("--events", "5000", "--seed", seed, "--out", "file://" + name)
            if p.returncode or "5000 nexmark events (seed %s) written to file://%s" % (seed, name) not in p.stderr:
                bad.append("gen %s: exit %d, stderr %r" % (name, p.returncode, p.stderr))
        read = lambda n: open(os.path.join(work, n), "rb").read()
        if read("a.jsonl") != read("b.jsonl"):
            bad.append("the same seed wrote different files")
        if read("a.jsonl") == read("c.jsonl"):
            bad.append("another seed wrote the same file")
        kinds = collections.Counter()
        for line in read("a.jsonl").decode().splitlines():
            ev = json.loads(line)
            kinds[ev["event_type"]] += 1
            if set(ev) != FIELDS[ev["event_type"]]:
                bad.append("event fields %s" % sorted(ev))
                break
        if kinds != {0: 100, 1: 300, 2: 4600}:
            bad.append("kinds %s, expected 100/300/4600" % dict(kinds))
        for args, what in ((["--seed", "1", "--out", "file://x.jsonl"], "events"),
                           (["--events", "10"], "--out"),
                           (["--events", "ten", "--out", "file://x.jsonl"], "non-negative integer"),
                           (["--events", "10", "--out", "ftp://host/x"], "not supported yet")):
            p = gen(*args)
            if p.returncode != 2 or what not in p.stderr:
                bad.append("gen %s: exit %d (want 2), stderr %r (want %r)" % (args, p.returncode, p.stderr, what))
        p = subprocess.run([velo, "gen", "nope", "--events", "1", "--out", "file://x.jsonl"], cwd=work,
                           capture_output=True, text=True)
        if p.returncode != 2 or "unknown generator 'nope'" not in p.stderr:
            bad.append("unknown generator: exit %d, %r" % (p.returncode, p.stderr))
    for b in bad:
        print("FAIL " + b)
    print("gen_cli: %s" % ("ok" if not bad else "%d failures" % len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
