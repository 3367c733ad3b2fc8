-- conformance: ROUND(DECIMAL, 1)
SELECT id, ROUND(price, 1) AS r, ROUND(fee, 2) AS f FROM trades
