#!/usr/bin/env python3
"""Writes a SQL file of N varied statements (declarations, filters, windowed aggregates, joins,
window functions) for the parse+bind benchmark. usage: gen_statements.py OUT.sql N"""
import sys

out, n = sys.argv[1], int(sys.argv[2])
parts = []
for i in range(n):
    k = i % 5
    if k == 0:
        parts.append("CREATE STREAM src%d (id BIGINT, ts TIMESTAMP, symbol VARCHAR, price DECIMAL(12, 2), qty BIGINT)\n"
                     "  WITH ('uri' = 'file://data/t%d.csv?format=csv&header=true', 'event.time.field' = 'ts');" % (i, i))
    elif k == 1:
        parts.append("CREATE STREAM f%d AS SELECT id, symbol, price * qty AS notional, CASE WHEN qty > 100 THEN 'big' "
                     "ELSE 'small' END AS size FROM src%d WHERE symbol IN ('AAPL', 'MSFT') AND price > 10.5 "
                     "INTO 'file://out/f%d.jsonl';" % (i, i - 1, i))
    elif k == 2:
        parts.append("CREATE STREAM a%d AS SELECT symbol, COUNT(*) AS n, SUM(price * qty) AS volume, AVG(price) AS avg_price "
                     "FROM src%d GROUP BY symbol WINDOW TUMBLING(ts, 1m) EMIT FINAL INTO 'file://out/a%d.jsonl';" % (i, i - 2, i))
    elif k == 3:
        parts.append("CREATE STREAM w%d AS SELECT id, symbol, price, LAG(price, 1) OVER (PARTITION BY symbol ORDER BY ts) AS prev, "
                     "AVG(price) OVER (PARTITION BY symbol ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW) AS avg_1h "
                     "FROM src%d INTO 'file://out/w%d.jsonl';" % (i, i - 3, i))
    else:
        parts.append("CREATE STREAM j%d AS SELECT a.id, a.symbol, b.price AS other_price FROM src%d a JOIN src%d b "
                     "ON a.symbol = b.symbol WITHIN INTERVAL '5' SECOND WHERE a.price > b.price INTO 'file://out/j%d.jsonl';"
                     % (i, i - 4, i - 4, i))
with open(out, "w") as f:
    f.write("\n\n".join(parts) + "\n")
