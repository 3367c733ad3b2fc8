-- conformance: 1-hour tumbling SUM per symbol
-- requires: aggregation
SELECT symbol, window_start, SUM(price * qty) AS notional FROM trades WHERE ts IS NOT NULL GROUP BY symbol WINDOW TUMBLING(ts, 1h)
