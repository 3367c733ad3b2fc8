-- conformance: tumbling window_end = start + size
-- requires: aggregation
SELECT symbol, window_start, window_end, COUNT(*) AS n FROM trades WHERE ts IS NOT NULL GROUP BY symbol WINDOW TUMBLING(ts, 1m)
