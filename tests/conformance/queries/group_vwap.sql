-- conformance: VWAP per symbol
-- requires: aggregation
SELECT symbol, SUM(price * qty) / SUM(qty) AS vwap FROM trades WHERE qty > 0 AND price BETWEEN 0 AND 1000 GROUP BY symbol
