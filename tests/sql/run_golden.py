#!/usr/bin/env python3
"""Golden tests of the SQL front end: `velo-cli validate` on one small SQL file per case.

Each case is tests/sql/cases/<name>.sql (first line: `-- expect: <what should happen>`) and
<name>.expected: the exact output of `velo-cli validate --format text <name>.sql` run from
tests/sql/cases (standard output, then standard error), followed by a last line "exit: N".

Usage: run_golden.py VELO_CLI [--update] [NAME...]
  --update  rewrite the .expected file of every selected case from the current output
            (review the diff before committing it).
A case without a .expected file fails, naming the command that creates it.
"""
import difflib
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")


def actual_output(cli, name):
    p = subprocess.run([cli, "validate", "--format", "text", name + ".sql"], cwd=CASES,
                       capture_output=True, timeout=60)
    out = p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace")
    return out + "exit: %d\n" % p.returncode


def main(argv):
    args = [a for a in argv[1:] if a != "--update"]
    update = "--update" in argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    cli = os.path.abspath(args[0])
    names = args[1:] or sorted(f[:-4] for f in os.listdir(CASES) if f.endswith(".sql"))
    passed = failed = 0
    for name in names:
        if not os.path.exists(os.path.join(CASES, name + ".sql")):
            print("FAIL %s: no such case (%s.sql)" % (name, name))
            failed += 1
            continue
        got = actual_output(cli, name)
        exp_path = os.path.join(CASES, name + ".expected")
        if update:
            with open(exp_path, "w", encoding="utf-8") as f:
                f.write(got)
            passed += 1
            continue
        if not os.path.exists(exp_path):
            print("FAIL %s: missing %s.expected; create it with `run_golden.py VELO_CLI --update %s` "
                  "and review it. Output now:\n%s" % (name, name, name, got))
            failed += 1
            continue
        with open(exp_path, encoding="utf-8") as f:
            want = f.read()
        if got == want:
            passed += 1
        else:
            failed += 1
            diff = difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                        name + ".expected", name + " (actual)")
            print("FAIL %s:\n%s" % (name, "".join(diff)))
    print("golden: %d %s, %d failed" % (passed, "updated" if update else "passed", failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
