-- conformance: BIGINT -> DOUBLE
SELECT id, CAST(qty AS DOUBLE) AS q, CAST(id AS DOUBLE) / 4 AS d FROM trades
