-- conformance: unary minus on BIGINT and expressions
SELECT id, -(qty - 5) AS a, - -qty AS b FROM trades
