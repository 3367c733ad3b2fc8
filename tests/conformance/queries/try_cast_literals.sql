-- conformance: TRY_CAST of literals
SELECT symbol, TRY_CAST('abc' AS BIGINT) AS a, TRY_CAST('12' AS BIGINT) AS b, TRY_CAST('1.5' AS DECIMAL(4,2)) AS c, TRY_CAST('x' AS DECIMAL(4,2)) AS d FROM dim
