-- conformance: DECIMAL literal arithmetic
SELECT symbol, 1.5 + 1.50 AS a, 1.5 * 2.25 AS b, -7.5 % 2.0 AS c, 0.1 + 0.2 AS d FROM dim
