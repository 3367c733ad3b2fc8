-- conformance: 1-minute tumbling SUM(DECIMAL) per symbol
-- requires: aggregation
SELECT symbol, window_start, SUM(price) AS s, SUM(qty) AS q FROM trades WHERE ts IS NOT NULL GROUP BY symbol WINDOW TUMBLING(ts, 1m)
