-- conformance: DECIMAL -> DOUBLE
SELECT id, CAST(price AS DOUBLE) AS p, CAST(fee AS DOUBLE) AS f FROM trades
