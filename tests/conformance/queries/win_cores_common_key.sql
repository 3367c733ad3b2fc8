-- conformance: two windows sharing one PARTITION BY key (routed by it on several cores)
-- requires: window-functions
SELECT id, symbol, side, ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY ts, id) AS rn, SUM(qty) OVER (PARTITION BY side, symbol ORDER BY ts, id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
