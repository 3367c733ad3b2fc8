-- conformance: tumbling COUNT(DISTINCT)
-- requires: aggregation
SELECT symbol, window_start, COUNT(DISTINCT side) AS d FROM trades WHERE ts IS NOT NULL GROUP BY symbol WINDOW TUMBLING(ts, 5m)
