#!/usr/bin/env python3
"""Writes the conformance data set into a folder (python3 stdlib only, fixed seed).

  trades.csv / trades.jsonl   the same rows: id BIGINT, ts TIMESTAMP (ISO, ms, out of order by up
                              to a few seconds), symbol VARCHAR (some Unicode), side VARCHAR,
                              price DECIMAL(18,2) (negatives, values near 10^12), qty BIGINT (incl. 0),
                              fee DECIMAL(10,4), flag BOOLEAN, note VARCHAR (quotes, commas,
                              newlines, empty strings); NULLs in every column
  dim.csv                     symbol VARCHAR, sector VARCHAR, weight DECIMAL(6,3), listed DATE

usage: gen_data.py OUT_DIR [--rows N]
"""
import datetime
import json
import os
import random
import sys

SEED = 20261127
ROWS = 5000

SYMBOLS = ["AAPL", "MSFT", "GOOG", "NVDA", "tsla", "Zoë", "北京", "Ünïcødé", "straße", "ÉCOLE"]
SIDES = ["BUY", "SELL", "buy"]
NOTES = ["plain", "with, comma", 'with "quotes"', "multi\nline", "", "  padded  ", "Zoë café",
         "北京 市", "it's", "100%_done", "a_b%c", "ÀÉÎ õü", "tab\there", "x"]
BASE = datetime.datetime(2026, 1, 5, 9, 30, 0, tzinfo=datetime.timezone.utc)

COLUMNS = ["id", "ts", "symbol", "side", "price", "qty", "fee", "flag", "note"]
DIM_COLUMNS = ["symbol", "sector", "weight", "listed"]


def iso(ts):
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ts.microsecond // 1000)


def dec(units, scale):
    """Exact text of the integer `units` / 10^scale."""
    sign = "-" if units < 0 else ""
    digits = str(abs(units)).rjust(scale + 1, "0")
    return sign + digits[:-scale] + "." + digits[-scale:]


def maybe_null(rng, value, p=0.03):
    return None if rng.random() < p else value


def make_rows(n):
    rng = random.Random(SEED)
    rows = []
    for i in range(n):
        ts = BASE + datetime.timedelta(milliseconds=i * 600 + rng.randint(0, 3000))
        ts = ts.replace(microsecond=(ts.microsecond // 1000) * 1000)
        r = rng.random()
        if r < 0.02:
            cents = rng.choice([99999999999999, -99999999999999, 123456789012345, 100000000000000]) \
                if rng.random() < 0.5 else rng.randint(10 ** 13, 10 ** 14)
        elif r < 0.07:
            cents = -rng.randint(1, 100000)
        elif r < 0.10:
            cents = rng.choice([0, 1, 5, 50, 100, 250, 1000, 12345])
        else:
            cents = rng.randint(1, 100000)
        q = rng.random()
        if q < 0.06:
            qty = 0
        elif q < 0.08:
            qty = rng.randint(1000000, 2000000)
        else:
            qty = rng.randint(1, 1000)
        fee = rng.randint(-500000, 9999999) if rng.random() < 0.9 else rng.choice([0, 5000, -5000, 12345])
        rows.append({
            "id": maybe_null(rng, 1000 + i, 0.01),
            "ts": maybe_null(rng, iso(ts), 0.02),
            "symbol": maybe_null(rng, rng.choice(SYMBOLS)),
            "side": maybe_null(rng, rng.choice(SIDES)),
            "price": maybe_null(rng, dec(cents, 2)),
            "qty": maybe_null(rng, qty),
            "fee": maybe_null(rng, dec(fee, 4)),
            "flag": maybe_null(rng, rng.random() < 0.5),
            "note": maybe_null(rng, rng.choice(NOTES), 0.05),
        })
    return rows


DIM = [
    ("AAPL", "tech", "1.250", "1980-12-12"),
    ("MSFT", "tech", "0.875", "1986-03-13"),
    ("GOOG", "tech", "-0.500", "2004-08-19"),
    ("NVDA", "semis", "2.000", "1999-01-22"),
    ("Zoë", "café", "0.001", None),
    ("北京", "市场", None, "2020-02-29"),
    ("straße", None, "10.000", "2024-01-01"),
    ("OTHER", "none", "0.000", "2000-01-01"),
]


def csv_field(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    s = str(v)
    if s == "" or any(c in s for c in ',"\r\n') or s[0] in " \t" or s[-1] in " \t":
        return '"' + s.replace('"', '""') + '"'
    return s


def write_csv(path, columns, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(columns) + "\n")
        for row in rows:
            f.write(",".join(csv_field(row[c]) for c in columns) + "\n")


def json_value(col, v):
    if v is None:
        return "null"
    if col in ("price", "fee", "id", "qty"):
        return str(v)  # numbers written with their exact text
    return json.dumps(v, ensure_ascii=False)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    n = int(sys.argv[sys.argv.index("--rows") + 1]) if "--rows" in sys.argv else ROWS
    os.makedirs(out, exist_ok=True)
    rows = make_rows(n)
    write_csv(os.path.join(out, "trades.csv"), COLUMNS, rows)
    with open(os.path.join(out, "trades.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write("{" + ",".join('"%s":%s' % (c, json_value(c, row[c])) for c in COLUMNS) + "}\n")
    write_csv(os.path.join(out, "dim.csv"), DIM_COLUMNS, [dict(zip(DIM_COLUMNS, d)) for d in DIM])


if __name__ == "__main__":
    main()
