-- conformance: 1-minute tumbling MIN/MAX per symbol
-- requires: aggregation
SELECT symbol, window_start, MIN(price) AS lo, MAX(price) AS hi FROM trades WHERE ts IS NOT NULL GROUP BY symbol WINDOW TUMBLING(ts, 1m)
