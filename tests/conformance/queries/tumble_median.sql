-- conformance: tumbling MEDIAN
-- requires: aggregation
SELECT symbol, window_start, MEDIAN(qty) AS m FROM trades WHERE ts IS NOT NULL GROUP BY symbol WINDOW TUMBLING(ts, 5m)
