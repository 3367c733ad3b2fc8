-- conformance: VARCHAR -> BOOLEAN
SELECT symbol, CAST('true' AS BOOLEAN) AS a, CAST('FALSE' AS BOOLEAN) AS b FROM dim
