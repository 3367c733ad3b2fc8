-- conformance: unary minus on DECIMAL never prints -0
SELECT id, -price AS a, -fee AS b FROM trades
