-- conformance: NTH_VALUE
-- requires: window-functions
SELECT id, symbol, NTH_VALUE(qty, 2) OVER (PARTITION BY symbol ORDER BY ts, id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS n2 FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
