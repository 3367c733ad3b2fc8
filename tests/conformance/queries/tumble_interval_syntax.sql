-- conformance: TUMBLING with INTERVAL syntax
-- requires: aggregation
SELECT symbol, window_start, COUNT(*) AS n FROM trades WHERE ts IS NOT NULL GROUP BY symbol WINDOW TUMBLING(ts, INTERVAL '1' MINUTE)
