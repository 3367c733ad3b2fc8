-- conformance: ROUND on BIGINT
SELECT id, ROUND(qty) AS q FROM trades
