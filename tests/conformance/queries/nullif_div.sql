-- conformance: division by NULLIF(x, 0)
SELECT id, price / NULLIF(qty, 0) AS unit FROM trades
