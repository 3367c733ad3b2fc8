-- conformance: BIGINT subtraction
SELECT id, id - qty AS a, qty - 1000 AS b FROM trades
