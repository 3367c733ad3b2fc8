-- conformance: tumbling after WHERE
-- requires: aggregation
SELECT symbol, window_start, COUNT(*) AS n FROM trades WHERE ts IS NOT NULL AND side = 'BUY' GROUP BY symbol WINDOW TUMBLING(ts, 1m)
