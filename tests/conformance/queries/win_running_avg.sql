-- conformance: running AVG(BIGINT)
-- requires: window-functions
SELECT id, symbol, AVG(qty) OVER (PARTITION BY symbol ORDER BY ts, id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS a FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
