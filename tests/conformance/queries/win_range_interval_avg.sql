-- conformance: RANGE INTERVAL frame AVG
-- requires: window-functions
SELECT id, symbol, AVG(price) OVER (PARTITION BY symbol ORDER BY ts RANGE BETWEEN INTERVAL '5' MINUTE PRECEDING AND CURRENT ROW) AS a FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
