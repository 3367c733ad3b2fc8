-- conformance: tumbling with two keys
-- requires: aggregation
SELECT symbol, side, window_start, COUNT(*) AS n FROM trades WHERE ts IS NOT NULL GROUP BY symbol, side WINDOW TUMBLING(ts, 1m)
