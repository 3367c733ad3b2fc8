#!/usr/bin/env python3
"""Writes a small, deterministic trades file for the demo (about 300 KB, 5,000 rows).

A handful of rows are malformed on purpose (a bad price, a missing field) to show the
dead-letter queue at work. usage: gen-demo-trades.py OUT.csv
"""
import random
import sys

SYMBOLS = {"AAPL": 189.25, "MSFT": 411.10, "NVDA": 875.40, "TSLA": 176.55, "AMZN": 178.20, "GOOG": 152.80}
TRADERS = ["alice", "bob", "chen", "dana", "émile", "farah"]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "trades.csv"
    rnd = random.Random(20261124)
    rows = ["trade_id,ts,symbol,trader,side,price,quantity"]
    for i in range(1, 5001):
        sym = rnd.choice(list(SYMBOLS))
        base = SYMBOLS[sym]
        price = "%.2f" % (base * (1 + rnd.uniform(-0.02, 0.02)))
        qty = rnd.choice([10, 50, 100, 200, 500, 1000, 2500])
        side = rnd.choice(["BUY", "SELL"])
        ms = i * 137
        ts = "2026-11-24T14:%02d:%02d.%03dZ" % (ms // 60000 % 60, ms // 1000 % 60, ms % 1000)
        trader = rnd.choice(TRADERS)
        if i in (777, 3210):
            price = "12x.50"  # malformed number -> dead-letter queue
        if i == 4242:
            rows.append("%d,%s,%s,%s,%s" % (i, ts, sym, trader, side))  # missing fields
            continue
        rows.append("%d,%s,%s,%s,%s,%s,%d" % (i, ts, sym, trader, side, price, qty))
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
