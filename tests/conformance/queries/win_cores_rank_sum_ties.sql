-- conformance: RANK, DENSE_RANK and a RANGE running SUM over ties (order-free: a split read on several cores)
-- requires: window-functions
SELECT id, symbol, side, RANK() OVER (PARTITION BY symbol ORDER BY side) AS rk, DENSE_RANK() OVER (PARTITION BY symbol ORDER BY side DESC) AS drk, SUM(qty) OVER (PARTITION BY symbol ORDER BY side) AS s, COUNT(*) OVER (PARTITION BY symbol) AS n FROM trades WHERE side IS NOT NULL
