-- conformance: ROUND of a DECIMAL product
SELECT id, ROUND(price * fee, 4) AS v FROM trades
