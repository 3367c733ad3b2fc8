-- conformance: DECIMAL literal division
SELECT symbol, 1.0 / 3.0 AS a, 2.00 / 3 AS b, 10 / 4.0 AS c FROM dim
