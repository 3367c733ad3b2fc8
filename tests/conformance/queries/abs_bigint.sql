-- conformance: ABS on BIGINT
SELECT id, ABS(qty - 500) AS a FROM trades
