-- conformance: moving AVG(DECIMAL) over ROWS
-- requires: window-functions
SELECT id, symbol, AVG(price) OVER (PARTITION BY symbol ORDER BY ts, id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS ma FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
