-- conformance: tumbling over JSON lines
-- requires: aggregation
SELECT symbol, window_start, SUM(fee) AS f FROM trades_json WHERE ts IS NOT NULL GROUP BY symbol WINDOW TUMBLING(ts, 1m)
