-- conformance: DECIMAL -> BIGINT rounds half away from zero
SELECT id, CAST(price AS BIGINT) AS p, CAST(fee AS BIGINT) AS f FROM trades
