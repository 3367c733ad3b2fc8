"""The flat Nexmark event as DuckDB reads it: every field of connectors/gen/nexmark.c with its
type (bench/nexmark/README.md), and the views person/auction/bid the queries read. Shared by the
benchmark (bench/workloads/nexmark.py) and the tests (tests/nexmark/run.py)."""

FIELDS = [("event_type", "BIGINT"), ("id", "BIGINT"), ("name", "VARCHAR"), ("emailAddress", "VARCHAR"),
          ("creditCard", "VARCHAR"), ("city", "VARCHAR"), ("state", "VARCHAR"), ("itemName", "VARCHAR"),
          ("description", "VARCHAR"), ("initialBid", "BIGINT"), ("reserve", "BIGINT"),
          ("expires", "TIMESTAMP"), ("seller", "BIGINT"), ("category", "BIGINT"), ("auction", "BIGINT"),
          ("bidder", "BIGINT"), ("price", "BIGINT"), ("channel", "VARCHAR"), ("url", "VARCHAR"),
          ("dateTime", "TIMESTAMP"), ("extra", "VARCHAR")]
STREAMS = ("bid", "auction", "person")


def duckdb_setup(events_path):
    """DuckDB statements creating the views bid, auction and person over one events file."""
    columns = "{%s}" % ", ".join("'%s': '%s'" % f for f in FIELDS)
    src = "read_json('%s', format = 'newline_delimited', columns = %s)" % (events_path.replace("'", "''"), columns)
    return "".join("CREATE VIEW %s AS SELECT * FROM %s;\n" % (s, src) for s in STREAMS)


def velo_query_on_file(query_path, events_path, out_path):
    """Writes the query with its sources reading events_path instead of the generator. (Not
    --bind: a bound name drops its declaration, columns and 'event.time.field' included, and the
    file would be read with inferred types.) Returns out_path."""
    import re
    text = open(query_path).read()
    text = re.sub(r"'nexmark://[^']*'", lambda m: "'file://%s'" % events_path, text)
    with open(out_path, "w") as f:
        f.write(text)
    return out_path


def duckdb_query(query_dir, name, text):
    """DuckDB's text of query `name`: NAME.duckdb.sql when the spelling differs, else the query's
    last statement (after its CREATE STREAM declarations)."""
    import os
    import re
    path = os.path.join(query_dir, name + ".duckdb.sql")
    if os.path.exists(path):
        return open(path).read()
    stmts = [s for s in re.split(r";\s*(?:\n|$)", re.sub(r"--[^\n]*", "", text)) if s.strip()]
    return stmts[-1].strip()
