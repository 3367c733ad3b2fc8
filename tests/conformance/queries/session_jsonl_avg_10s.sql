-- conformance: SESSION(10s) over the JSON-lines copy, AVG and COUNT per symbol
-- requires: aggregation
SELECT symbol, window_start, window_end, AVG(qty) AS avg_qty, COUNT(price) AS n FROM trades_json WHERE ts IS NOT NULL GROUP BY symbol WINDOW SESSION(ts, 10s)
