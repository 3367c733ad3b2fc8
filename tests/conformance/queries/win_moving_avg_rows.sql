-- conformance: moving AVG over 5 ROWS
-- requires: window-functions
SELECT id, symbol, AVG(qty) OVER (PARTITION BY symbol ORDER BY ts, id ROWS BETWEEN 4 PRECEDING AND CURRENT ROW) AS ma FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
