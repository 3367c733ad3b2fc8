-- GROUP BY over a bounded file: one final row per group at the end of the input (first-seen order),
-- exact DECIMAL sums and averages, NULLs skipped by COUNT(x)/SUM, HAVING, a global aggregate
CREATE STREAM t (id BIGINT, ts TIMESTAMP, symbol VARCHAR, price DECIMAL(12,2), qty BIGINT)
  WITH ('uri' = 'file://t.csv');
CREATE STREAM by_symbol AS
SELECT symbol, COUNT(*) AS n, COUNT(qty) AS nq, SUM(price * qty) AS notional, AVG(price) AS avg_price,
       MIN(price) AS lo, MAX(price) AS hi, STDDEV_POP(qty) AS sd
FROM t GROUP BY symbol INTO 'file://by_symbol.jsonl';
CREATE STREAM busy AS SELECT symbol, COUNT(*) AS n FROM t GROUP BY symbol HAVING COUNT(*) > 1 INTO 'file://busy.jsonl';
CREATE STREAM total AS SELECT COUNT(*) AS n, SUM(qty) AS q, COUNT(DISTINCT symbol) AS symbols FROM t INTO 'file://total.jsonl';
