-- conformance: SESSION(2s) per side with exact DECIMAL sums and MIN/MAX over many short sessions
-- requires: aggregation
SELECT side, window_start, window_end, SUM(price) AS total, MIN(price) AS lo, MAX(price) AS hi FROM trades WHERE ts IS NOT NULL GROUP BY side WINDOW SESSION(ts, 2s)
