#!/usr/bin/env python3
"""The compatibility cases (cases/<category>/<id>.json) as a regression test: runs every case with
run_cases.py's own run_case (same harness semantics), several at a time, and fails when a case
fails that known_differences.txt does not list, when a listed case passes (the list must stay
true: remove its line), or when a listed case id is missing from docs/sql/compatibility.md.
usage: check_cases.py VELO_SQL VELO_CLI [--jobs N] [--verbose]
known_differences.txt: one `case_id  reason` per line; '#' starts a comment."""
import concurrent.futures
import glob
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run_cases import run_case  # noqa: E402

DOC = os.path.join(HERE, "..", "..", "docs", "sql", "compatibility.md")


def load_known(path):
    known = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split(None, 1)
            if len(parts) < 2:
                sys.exit("%s:%d: a known difference needs a reason: %s" % (path, n, line))
            known[parts[0]] = parts[1]
    return known


def one(vs, vc, case):
    with tempfile.TemporaryDirectory() as tmp:
        try:
            return run_case(vs, vc, case, tmp)
        except Exception as e:  # the runner's own failure counts as the case failing
            return False, "runner: %s" % e


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    vs, vc = os.path.abspath(args[0]), os.path.abspath(args[1])
    jobs = int(argv[argv.index("--jobs") + 1]) if "--jobs" in argv else max(4, 2 * (os.cpu_count() or 1))
    verbose = "--verbose" in argv
    known = load_known(os.path.join(HERE, "known_differences.txt"))
    cases = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(HERE, "cases", "*", "*.json")))]
    ids = {c["id"] for c in cases}
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(lambda c: one(vs, vc, c), cases))
    doc = open(DOC).read()
    bad = 0
    for case, (ok, why) in zip(cases, results):
        cid = case["id"]
        if not ok and cid not in known:
            bad += 1
            print("REGRESSION %s (%s): %s" % (cid, case["category"], why.strip().replace("\n", " | ")[-300:]))
        elif ok and cid in known:
            bad += 1
            print("NOW PASSES %s: remove it from tests/compat/known_differences.txt (and the docs)" % cid)
        elif verbose and not ok:
            print("known %s: %s" % (cid, known[cid]))
    for cid in sorted(known):
        if cid not in ids:
            bad += 1
            print("UNKNOWN CASE %s listed in known_differences.txt" % cid)
        elif cid not in doc:
            bad += 1
            print("UNDOCUMENTED %s: listed in known_differences.txt but not in docs/sql/compatibility.md" % cid)
    passed = sum(ok for ok, _ in results)
    print("compat cases: %d/%d pass, %d known differences, %d problem%s" %
          (passed, len(cases), len(known), bad, "" if bad == 1 else "s"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
