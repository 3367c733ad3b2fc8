-- conformance: LAST_VALUE over a full frame
-- requires: window-functions
SELECT id, symbol, LAST_VALUE(price) OVER (PARTITION BY symbol ORDER BY ts, id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS l FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
