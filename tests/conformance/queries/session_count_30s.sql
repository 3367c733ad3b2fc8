-- conformance: SESSION(30s) per symbol: sessions merge when a row bridges two (out-of-order input)
-- requires: aggregation
SELECT symbol, window_start, window_end, COUNT(*) AS n, SUM(qty) AS qty FROM trades WHERE ts IS NOT NULL GROUP BY symbol WINDOW SESSION(ts, 30s)
