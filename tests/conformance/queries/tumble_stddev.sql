-- conformance: tumbling STDDEV per symbol
-- requires: aggregation
SELECT symbol, window_start, STDDEV_POP(qty) AS s FROM trades WHERE ts IS NOT NULL GROUP BY symbol WINDOW TUMBLING(ts, 5m)
