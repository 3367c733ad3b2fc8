#!/usr/bin/env python3
"""Deterministic trades CSV for benchmarks. usage: gen_trades.py OUT.csv ROWS"""
import random
import sys

out, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(7)
syms = ["AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "GOOG", "META", "NFLX"]
with open(out, "w") as f:
    f.write("trade_id,ts,symbol,trader,side,price,quantity\n")
    for i in range(n):
        ms = i * 3
        f.write("%d,2026-11-24T%02d:%02d:%02d.%03dZ,%s,t%d,%s,%d.%02d,%d\n" % (
            i, ms // 3600000 % 24, ms // 60000 % 60, ms // 1000 % 60, ms % 1000,
            syms[i % 8], rnd.randrange(100), "BUY" if rnd.random() < 0.5 else "SELL",
            rnd.randrange(10, 1000), rnd.randrange(100), rnd.choice((10, 100, 500, 1000, 5000))))
