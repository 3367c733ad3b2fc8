-- conformance: 30-second tumbling COUNT per side
-- requires: aggregation
SELECT side, window_start, COUNT(*) AS n FROM trades WHERE ts IS NOT NULL GROUP BY side WINDOW TUMBLING(ts, 30s)
