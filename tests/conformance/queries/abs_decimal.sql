-- conformance: ABS on DECIMAL
SELECT id, ABS(price) AS a, ABS(fee) AS b FROM trades
