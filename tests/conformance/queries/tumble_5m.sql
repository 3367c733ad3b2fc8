-- conformance: 5-minute tumbling COUNT per symbol
-- requires: aggregation
SELECT symbol, window_start, COUNT(*) AS n FROM trades WHERE ts IS NOT NULL GROUP BY symbol WINDOW TUMBLING(ts, 5m)
