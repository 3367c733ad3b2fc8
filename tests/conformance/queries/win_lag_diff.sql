-- conformance: price change vs LAG
-- requires: window-functions
SELECT id, symbol, price - LAG(price) OVER (PARTITION BY symbol ORDER BY ts, id) AS chg FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
