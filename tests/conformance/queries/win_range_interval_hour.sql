-- conformance: RANGE INTERVAL 1 hour MAX
-- requires: window-functions
SELECT id, symbol, MAX(price) OVER (PARTITION BY symbol ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW) AS m FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
