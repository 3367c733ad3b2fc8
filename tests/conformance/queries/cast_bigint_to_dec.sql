-- conformance: BIGINT -> DECIMAL
SELECT id, CAST(qty AS DECIMAL(20,2)) AS q FROM trades
