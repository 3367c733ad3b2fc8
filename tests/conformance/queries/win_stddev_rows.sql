-- conformance: moving STDDEV over ROWS
-- requires: window-functions
SELECT id, symbol, STDDEV_POP(qty) OVER (PARTITION BY symbol ORDER BY ts, id ROWS BETWEEN 9 PRECEDING AND CURRENT ROW) AS s FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
