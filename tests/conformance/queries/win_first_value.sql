-- conformance: FIRST_VALUE
-- requires: window-functions
SELECT id, symbol, FIRST_VALUE(price) OVER (PARTITION BY symbol ORDER BY ts, id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS f FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
