-- conformance: DECIMAL -> larger scale
SELECT id, CAST(price AS DECIMAL(24,6)) AS p FROM trades
