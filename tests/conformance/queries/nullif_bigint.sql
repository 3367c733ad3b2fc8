-- conformance: NULLIF on BIGINT
SELECT id, NULLIF(qty, 0) AS q FROM trades
