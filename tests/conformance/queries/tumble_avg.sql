-- conformance: 1-minute tumbling AVG per symbol
-- requires: aggregation
SELECT symbol, window_start, AVG(qty) AS a FROM trades WHERE ts IS NOT NULL GROUP BY symbol WINDOW TUMBLING(ts, 1m)
