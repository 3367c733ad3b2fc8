-- Window functions over a bounded file are computed as SQL computes them over the whole input:
-- each partition sorted by its ORDER BY (row 4 arrives after row 3 but comes before it), rows
-- emitted at the end of the input in arrival order. RANGE INTERVAL frames include their boundary.
CREATE STREAM t (id BIGINT, ts TIMESTAMP, symbol VARCHAR, price DECIMAL(12,2), qty BIGINT)
  WITH ('uri' = 'file://t.csv');
CREATE STREAM w AS
SELECT id, symbol, price,
       ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY ts) AS rn,
       LAG(price) OVER (PARTITION BY symbol ORDER BY ts) AS prev_price,
       SUM(qty) OVER (PARTITION BY symbol ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running_qty,
       AVG(price) OVER (PARTITION BY symbol ORDER BY ts RANGE BETWEEN INTERVAL '2' MINUTE PRECEDING AND CURRENT ROW) AS avg_2m
FROM t INTO 'file://out.jsonl';
