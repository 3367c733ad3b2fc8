#!/usr/bin/env python3
"""Conformance: the same queries through velo-sql and DuckDB; the results must agree.

usage: run.py PATH/TO/velo-sql [--only NAME[,NAME...]] [--cores N[,N...]] [--verbose] [--keep]

Every tests/conformance/queries/<name>.sql is one SELECT over the streams `trades` (CSV),
`trades_json` (JSON lines, the same rows) and `dim` (CSV). velo-sql runs it per query as a bare
SELECT after the CREATE STREAM declarations; DuckDB runs every query (or <name>.duckdb.sql when
present) in one node process (duck.mjs) over views of the same names. See README.md for the
comparison rules. Exit status 1 when any query fails.

--cores 1,2,4 runs velo-sql once per core count (`velo-sql run --cores N`): the outputs must be
identical (as multisets of JSON lines, or in order for a query with a top-level ORDER BY), and the
first is compared with DuckDB.
"""
import collections
import concurrent.futures
import datetime
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal, ROUND_HALF_UP

HERE = os.path.dirname(os.path.abspath(__file__))
QUERIES = os.path.join(HERE, "queries")
NOT_SUPPORTED = "is not supported yet"

# One schema, declared explicitly in both engines so that type inference plays no part.
TRADES = [("id", "BIGINT"), ("ts", "TIMESTAMP"), ("symbol", "VARCHAR"), ("side", "VARCHAR"),
          ("price", "DECIMAL(18,2)"), ("qty", "BIGINT"), ("fee", "DECIMAL(10,4)"),
          ("flag", "BOOLEAN"), ("note", "VARCHAR")]
DIM = [("symbol", "VARCHAR"), ("sector", "VARCHAR"), ("weight", "DECIMAL(6,3)"), ("listed", "DATE")]
SOURCES = [("trades", "trades.csv", "csv", TRADES), ("trades_json", "trades.jsonl", "jsonl", TRADES),
           ("dim", "dim.csv", "csv", DIM)]


def velo_declarations(data):
    out = []
    for name, file, fmt, cols in SOURCES:
        uri = "file://%s?format=%s" % (os.path.join(data, file), fmt)
        if fmt == "csv":
            uri += "&header=true"
        out.append("CREATE STREAM %s (%s) WITH ('uri' = '%s');"
                   % (name, ", ".join("%s %s" % c for c in cols), uri))
    return "\n".join(out) + "\n"


def duck_setup(data):
    out = ["SET integer_division = true;"]  # BIGINT / BIGINT truncates, as in velo-sql
    for name, file, fmt, cols in SOURCES:
        path = os.path.join(data, file).replace("'", "''")
        columns = "{%s}" % ", ".join("'%s': '%s'" % c for c in cols)
        if fmt == "csv":
            src = ("read_csv('%s', header = true, auto_detect = false, delim = ',', quote = '\"', "
                   "escape = '\"', allow_quoted_nulls = false, columns = %s)" % (path, columns))
        else:
            src = "read_json('%s', format = 'newline_delimited', columns = %s)" % (path, columns)
        out.append("CREATE VIEW %s AS SELECT * FROM %s;" % (name, src))
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# Query files

class Query:
    def __init__(self, name):
        self.name = name
        self.path = os.path.join(QUERIES, name + ".sql")
        duck = os.path.join(QUERIES, name + ".duckdb.sql")
        self.duck_path = duck if os.path.exists(duck) else self.path
        self.text = open(self.path, encoding="utf-8").read()
        self.headers = {}
        for line in self.text.splitlines():
            m = re.match(r"\s*--\s*([a-z-]+)\s*:\s*(.*)$", line)
            if m:
                self.headers.setdefault(m.group(1), m.group(2).strip())
        self.ordered = has_top_level_order_by(self.text)


def strip_sql(text):
    """The query without comments and string literals (replaced by blanks)."""
    text = re.sub(r"--[^\n]*", " ", text)
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"'(?:[^']|'')*'", "''", text)


def has_top_level_order_by(text):
    text = strip_sql(text)
    depth = 0
    for m in re.finditer(r"\(|\)|\bORDER\s+BY\b", text, re.I):
        tok = m.group(0)
        if tok == "(":
            depth += 1
        elif tok == ")":
            depth -= 1
        elif depth == 0:
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Normalization: every value becomes one of
#   None, bool, str, ("exact", Decimal), ("float", float, velo_text_scale), ("ts", iso), ...

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
INT_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
             "UINTEGER", "UBIGINT", "UHUGEINT"}


def kind_of(duck_type):
    if duck_type in INT_TYPES or duck_type.startswith("DECIMAL"):
        return "exact"
    if duck_type in ("DOUBLE", "FLOAT"):
        return "float"
    if duck_type.startswith("TIMESTAMP"):
        return "ts"
    if duck_type == "DATE":
        return "date"
    if duck_type == "INTERVAL":
        return "interval"
    return "plain"


def ts_text(micros):
    t = EPOCH + datetime.timedelta(microseconds=micros)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_velo_ts(text):
    m = re.match(r"^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\.\d{1,6})?(Z|[+-]00:?00)?$", text)
    if not m:
        return None
    t = datetime.datetime.strptime(m.group(1) + " " + m.group(2), "%Y-%m-%d %H:%M:%S")
    frac = (m.group(3) or ".")[1:].ljust(6, "0")
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + frac + "Z"


def parse_velo_interval(text):
    m = re.match(r"^(-)?P(?:(-?\d+)Y)?(?:(-?\d+)M)?(?:(-?\d+)W)?(?:(-?\d+)D)?"
                 r"(?:T(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?\d+(?:\.\d+)?)S)?)?$", text)
    if not m:
        return None
    g = [int(x) if x else 0 for x in m.groups()[1:7]]
    secs = Decimal(m.group(8) or 0)
    months = g[0] * 12 + g[1]
    days = g[2] * 7 + g[3]
    micros = int((g[4] * 3600 + g[5] * 60) * 10 ** 6 + secs * 10 ** 6)
    sign = -1 if m.group(1) else 1
    return (sign * months, sign * days, sign * micros)


def scale_of(d):
    exp = d.as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


def norm_duck(v, kind):
    if v is None or isinstance(v, bool):
        return v
    if kind == "exact":
        return ("num", Decimal(v))
    if kind == "float":
        return ("float", float(v), None)
    if kind == "ts":
        return ("ts", ts_text(int(v)))
    if kind == "date":
        return ("date", (datetime.date(1970, 1, 1) + datetime.timedelta(days=int(v))).isoformat())
    if kind == "interval":
        return ("interval", tuple(int(x) for x in v.split(",")))
    return v


def norm_velo(v, kind):
    if v is None or isinstance(v, bool):
        return v
    is_num = isinstance(v, (int, Decimal))
    if kind == "exact" and is_num:
        return ("num", Decimal(v))
    if kind == "float" and is_num:
        return ("float", float(v), scale_of(Decimal(v)))
    if kind == "ts" and isinstance(v, str) and parse_velo_ts(v):
        return ("ts", parse_velo_ts(v))
    if kind == "date" and isinstance(v, str):
        return ("date", v)
    if kind == "interval" and isinstance(v, str) and parse_velo_interval(v):
        return ("interval", parse_velo_interval(v))
    if is_num:
        return ("num", Decimal(v))
    if isinstance(v, (dict, list)):
        return json.dumps(v, sort_keys=True, ensure_ascii=False)
    return v


def values_equal(a, b):
    """a from velo-sql, b from DuckDB (both normalized)."""
    if isinstance(a, tuple) and isinstance(b, tuple) and a[0] == "float" and b[0] == "float":
        x, y = a[1], b[1]
        if x == y or (x != x and y != y):
            return True
        if abs(x - y) <= 1e-12 * max(abs(x), abs(y)):
            return True
        # velo-sql gives an exact DECIMAL where DuckDB gives a DOUBLE (DECIMAL / DECIMAL, AVG of
        # DECIMAL): velo's value must be DuckDB's rounded to velo's scale (at least 6 digits).
        s = a[2]
        if s is not None and s >= 6:
            return abs(x - y) <= 0.5 * 10.0 ** -s + 8 * 2.0 ** -52 * abs(y)
        return False
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    return a == b


def sort_key(v):
    if v is None:
        return (0, "")
    if isinstance(v, bool):
        return (1, str(v))
    if isinstance(v, tuple):
        if v[0] == "num":
            return (2, "%+040.12f" % v[1] if abs(v[1]) < 10 ** 27 else str(v[1]))
        if v[0] == "float":
            return (2, "%+040.12f" % float("%.9g" % v[1]) if abs(v[1]) < 1e27 else repr(v[1]))
        return (3, repr(v[1]))
    return (4, str(v))


def show(v):
    if isinstance(v, tuple):
        return str(v[1]) if v[0] != "float" else repr(v[1])
    return json.dumps(v, ensure_ascii=False)


def fmt_row(cols, row):
    return "{" + ", ".join("%s: %s" % (c, show(v)) for c, v in zip(cols, row)) + "}"


# ---------------------------------------------------------------------------------------------
# Running

def run_velo(velo, q, decl, work, cores=None):
    sql_path = os.path.join(work, q.name + ".velo.sql")
    body = q.text.rstrip().rstrip(";")
    with open(sql_path, "w", encoding="utf-8") as f:
        f.write(decl + body + "\n;\n")
    first = None
    for n in cores or [None]:
        cmd = [velo, "run", sql_path] + (["--cores", str(n)] if n else [])
        try:
            p = subprocess.run(cmd, cwd=work, capture_output=True, timeout=120)
        except subprocess.TimeoutExpired:
            return {"error": "velo-sql timed out after 120 s"}
        lines = p.stdout.decode("utf-8", "replace").splitlines()
        got = (p.returncode, lines if q.ordered else sorted(lines))
        if first is None:
            first = (n, got, p)
        elif got != first[1]:
            diff = "\n".join(difflib.unified_diff(first[1][1], got[1], "--cores %s" % first[0],
                                                   "--cores %s" % n, lineterm="", n=1))
            return {"error": "velo-sql gives a different result at --cores %s than at --cores %s "
                             "(exit %d vs %d):\n%s" % (n, first[0], got[0], first[1][0], diff[:3000])}
    p = first[2]
    stdout = p.stdout.decode("utf-8", "replace")
    stderr = p.stderr.decode("utf-8", "replace")
    if p.returncode != 0:
        return {"rc": p.returncode, "stderr": stderr, "stdout": stdout}
    rows = []
    for line in stdout.splitlines():
        if line.strip():
            rows.append(json.loads(line, parse_float=Decimal))
    return {"rows": rows}


def compare(q, velo, duck):
    """None when the results agree, else a readable explanation."""
    cols = [c.lower() for c in duck["columns"]]
    kinds = {c: kind_of(t) for c, t in zip(cols, duck["types"])}
    names = sorted(cols)
    if len(set(cols)) != len(cols):
        return "DuckDB result has duplicate column names %s: alias every column" % cols
    vrows = []
    for r in velo:
        r = {k.lower(): v for k, v in r.items()}
        if sorted(r) != names:
            return "columns differ: velo-sql %s, DuckDB %s" % (sorted(r), names)
        vrows.append(tuple(norm_velo(r[c], kinds[c]) for c in names))
    drows = []
    for r in duck["rows"]:
        d = dict(zip(cols, r))
        drows.append(tuple(norm_duck(d[c], kinds[c]) for c in names))
    if not q.ordered:
        vrows.sort(key=lambda row: [sort_key(v) for v in row])
        drows.sort(key=lambda row: [sort_key(v) for v in row])
    bad = [i for i in range(min(len(vrows), len(drows)))
           if not all(values_equal(a, b) for a, b in zip(vrows[i], drows[i]))]
    if not bad and len(vrows) == len(drows):
        return None
    lines = ["%d rows from velo-sql, %d from DuckDB (%s comparison)"
             % (len(vrows), len(drows), "ordered" if q.ordered else "multiset")]
    if not q.ordered:
        # The rows of each side that the other side lacks (by sort key), then the pairs.
        vkeys = collections.Counter(tuple(sort_key(v) for v in row) for row in vrows)
        dkeys = collections.Counter(tuple(sort_key(v) for v in row) for row in drows)
        for label, rows, extra in (("velo-sql", vrows, vkeys - dkeys), ("DuckDB", drows, dkeys - vkeys)):
            shown = 0
            for row in rows:
                k = tuple(sort_key(v) for v in row)
                if extra.get(k, 0) > 0 and shown < 5:
                    extra[k] -= 1
                    shown += 1
                    lines.append("  only in %s: %s" % (label, fmt_row(names, row)))
            if sum(extra.values()) > 0:
                lines.append("  ... %d more only in %s" % (sum(extra.values()), label))
        if len(lines) > 1:
            return "\n".join(lines)
    for i in bad[:5]:
        diff = [c for c, a, b in zip(names, vrows[i], drows[i]) if not values_equal(a, b)]
        lines.append("  row %d differs in %s" % (i + 1, ", ".join(diff)))
        lines.append("    velo-sql: " + fmt_row(names, vrows[i]))
        lines.append("    DuckDB:   " + fmt_row(names, drows[i]))
    if len(bad) > 5:
        lines.append("  ... %d more differing rows" % (len(bad) - 5))
    n = min(len(vrows), len(drows))
    for label, rows in (("velo-sql", vrows), ("DuckDB", drows)):
        for row in rows[n:n + 3]:
            lines.append("  only in %s: %s" % (label, fmt_row(names, row)))
    return "\n".join(lines)


def read_duck(work, q):
    """DuckDB's result of q: {"columns", "types", "rows"} or {"error"}."""
    try:
        with open(os.path.join(work, "duck", q.name + ".jsonl"), encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        return {"error": "no result from duck.mjs (%s)" % e}
    head = json.loads(lines[0])
    if "error" not in head:
        head["rows"] = [json.loads(l) for l in lines[1:]]
    return head


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        sys.exit(__doc__)
    velo = os.path.abspath(args[0])
    verbose = "--verbose" in args
    keep = "--keep" in args
    only = None
    if "--only" in args:
        only = set(args[args.index("--only") + 1].split(","))
    cores = None
    if "--cores" in args:
        cores = [int(n) for n in args[args.index("--cores") + 1].split(",")]

    names = sorted(f[:-4] for f in os.listdir(QUERIES)
                   if f.endswith(".sql") and not f.endswith(".duckdb.sql"))
    if only:
        missing = only - set(names)
        if missing:
            sys.exit("run.py: no such query: %s" % ", ".join(sorted(missing)))
        names = [n for n in names if n in only]
    queries = [Query(n) for n in names]

    subprocess.run(["sh", os.path.join(HERE, "setup.sh")], check=True)
    work = tempfile.mkdtemp(prefix="velo-conformance-")
    try:
        return run_all(velo, queries, work, verbose, cores)
    finally:
        if keep:
            print("run.py: kept %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)


def run_all(velo, queries, work, verbose, cores=None):
    data = os.path.join(work, "data")
    subprocess.run([sys.executable, os.path.join(HERE, "gen_data.py"), data], check=True)
    with open(os.path.join(work, "setup.sql"), "w", encoding="utf-8") as f:
        f.write(duck_setup(data))
    duck_dir = os.path.join(work, "duck")
    os.makedirs(duck_dir)
    with open(os.path.join(work, "list.tsv"), "w", encoding="utf-8") as f:
        for q in queries:
            f.write("%s\t%s\n" % (q.duck_path, os.path.join(duck_dir, q.name + ".jsonl")))
    node = subprocess.Popen(["node", os.path.join(HERE, "duck.mjs"), os.path.join(work, "setup.sql"),
                             os.path.join(work, "list.tsv")], cwd=HERE)

    decl = velo_declarations(data)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        velo_results = dict(zip([q.name for q in queries],
                                pool.map(lambda q: run_velo(velo, q, decl, work, cores), queries)))
    if node.wait() != 0:
        print("run.py: duck.mjs failed (exit %d)" % node.returncode)
        return 1

    passed, failed, skipped, known, fixed = [], [], [], [], []
    skip_reasons = {}
    for q in queries:
        v = velo_results[q.name]
        problem = None
        if "conformance" not in q.headers:
            problem = "harness: the file has no '-- conformance: <what it checks>' header"
        elif "rows" not in v:
            err = v.get("error") or v.get("stderr", "")
            duck_error = read_duck(work, q).get("error")
            if NOT_SUPPORTED in err and duck_error:
                # Keep skipped queries ready for the day velo-sql runs them.
                problem = "harness: DuckDB failed (the query is skipped on the velo-sql side): %s" % duck_error
            elif NOT_SUPPORTED in err:
                m = re.search(r"error: (.*%s)" % NOT_SUPPORTED, err)
                reason = m.group(1) if m else NOT_SUPPORTED
                skipped.append(q.name)
                skip_reasons[reason] = skip_reasons.get(reason, 0) + 1
                if verbose:
                    print("SKIP %s: %s" % (q.name, reason))
                continue
            else:
                problem = "velo-sql failed (exit %s):\n%s%s" % (v.get("rc"), v.get("stdout", "")[-1000:],
                                                               err.strip()[-2000:])
        else:
            duck = read_duck(work, q)
            if "error" in duck:
                problem = "harness: DuckDB failed: %s" % duck["error"]
            else:
                problem = compare(q, v["rows"], duck)
        if problem is None:
            if "known-difference" in q.headers:
                fixed.append(q.name)
            passed.append(q.name)
            if verbose:
                print("PASS %s" % q.name)
        elif "known-difference" in q.headers and not problem.startswith("harness"):
            known.append(q.name)
            print("KNOWN DIFFERENCE %s: %s" % (q.name, q.headers["known-difference"]))
            if verbose:
                print("  " + problem.replace("\n", "\n  "))
        else:
            failed.append(q.name)
            print("FAIL %s (%s)\n  %s" % (q.name, q.headers.get("conformance", "?"),
                                          problem.replace("\n", "\n  ")))
    for name in fixed:
        print("NOTE %s agrees now: remove its '-- known-difference' line" % name)
    if skip_reasons and verbose:
        print("skipped because:")
        for reason, n in sorted(skip_reasons.items(), key=lambda kv: -kv[1]):
            print("  %4d  %s" % (n, reason))
    print("conformance: %d passed, %d failed, %d skipped (not supported yet), %d known differences"
          % (len(passed), len(failed), len(skipped), len(known)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
