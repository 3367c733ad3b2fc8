#!/usr/bin/env python3
"""The original product's README queries (tests/compat/seed-readme, see its README.md) through
`velo-cli validate`, as that README asks:
- 01-04, 08, 09, 10 validate (warnings allowed), with --bind for the bare names of 09 and 10;
- 05, 06 validate and say their PostgreSQL/ClickHouse connectors are "not supported yet";
- 07 (price * quantity beside GROUP BY order_id) is rejected naming the column and the fix;
- 02 and 07 warn about unbounded per-key state (GROUP BY without a window).
usage: check_seed_readme.py PATH/TO/velo-cli
"""
import json
import os
import subprocess
import sys

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seed-readme")
BINDS = []
for name in ("positions_table", "trades", "high_volume_stocks", "active_traders"):
    BINDS += ["--bind", "%s=kafka://localhost:9092/%s" % (name, name)]


def validate(cli, f):
    p = subprocess.run([cli, "validate", "--format", "json", f] + BINDS, capture_output=True, text=True)
    report = json.loads(p.stdout)
    return p.returncode, [x for fr in report["files"] for x in fr["findings"]]


def main():
    cli = os.path.abspath(sys.argv[1])
    failures = []
    for f in sorted(x for x in os.listdir(HERE) if x.endswith(".sql")):
        code, findings = validate(cli, os.path.join(HERE, f))
        errors = [x["message"] for x in findings if x["severity"] == "error"]
        warnings = [x for x in findings if x["severity"] == "warning"]
        n = f[:2]
        if n == "07":
            if code != 1 or not any("column 'price' must appear in GROUP BY or be used in an aggregate" in e for e in errors):
                failures.append("%s: expected the GROUP BY error naming 'price', got exit %d %s" % (f, code, errors))
        elif code != 0:
            failures.append("%s: exit %d: %s" % (f, code, errors))
        if n in ("05", "06") and not any("not supported yet" in w["message"] for w in warnings):
            failures.append("%s: no 'not supported yet' warning for its connector" % f)
        if n in ("02", "07") and not any(w["code"] == "warn.unbounded_state" for w in warnings):
            failures.append("%s: no unbounded-state warning" % f)
        print("%-4s %s (exit %d, %d errors, %d warnings)" % ("ok" if not any(x.startswith(f) for x in failures) else "FAIL",
                                                            f, code, len(errors), len(warnings)))
    for x in failures:
        print("FAIL " + x)
    print("seed-readme: %d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
