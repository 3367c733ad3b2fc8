#!/usr/bin/env python3
"""Every ```sql block in README.md and docs/ must pass `velo-cli validate` (warnings allowed).

Bare source names in an example (FROM trades) are bound to a schemaless Kafka topic of that name
(--bind trades=kafka://localhost:9092/trades) unless the example declares them, so examples can
stay short. Grammar sketches that are not SQL belong in ```text blocks.
usage: check_sql_examples.py PATH/TO/velo-cli
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BLOCK = re.compile(r"^```sql\n(.*?)^```", re.S | re.M)
NAME = re.compile(r"\b(?:FROM|JOIN)\s+([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\()", re.I)
DECL = re.compile(r"\bCREATE\s+(?:STREAM|TABLE)\s+([A-Za-z_][A-Za-z0-9_]*)", re.I)
KEYWORDS = {"select", "lateral", "unnest"}


def docs():
    yield os.path.join(ROOT, "README.md")
    for d, _, files in os.walk(os.path.join(ROOT, "docs")):
        for f in sorted(files):
            if f.endswith(".md"):
                yield os.path.join(d, f)


def main():
    cli = os.path.abspath(sys.argv[1])
    failed = total = 0
    for path in docs():
        text = open(path, encoding="utf-8").read()
        for m in BLOCK.finditer(text):
            total += 1
            sql = m.group(1)
            line = text[: m.start()].count("\n") + 2
            declared = {n.lower() for n in DECL.findall(sql)}
            ctes = {n.lower() for n in re.findall(r"\b([A-Za-z_]\w*)\s+AS\s*\(", sql, re.I)}
            binds = []
            for n in sorted({n for n in NAME.findall(sql)}):
                if n.lower() not in declared | ctes | KEYWORDS:
                    binds += ["--bind", "%s=kafka://localhost:9092/%s" % (n, n)]
            with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
                f.write(sql)
                tmp = f.name
            try:
                p = subprocess.run([cli, "validate", tmp] + binds, capture_output=True, text=True)
            finally:
                os.unlink(tmp)
            rel = os.path.relpath(path, ROOT)
            if p.returncode != 0:
                failed += 1
                print("FAIL %s:%d\n%s%s" % (rel, line, p.stdout, p.stderr))
    print("docs sql examples: %d checked, %d failed" % (total, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
