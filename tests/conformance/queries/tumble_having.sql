-- conformance: tumbling with HAVING
-- requires: aggregation
SELECT symbol, window_start, COUNT(*) AS n FROM trades WHERE ts IS NOT NULL GROUP BY symbol WINDOW TUMBLING(ts, 1m) HAVING COUNT(*) > 8
