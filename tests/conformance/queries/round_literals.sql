-- conformance: ROUND ties on literals
SELECT symbol, ROUND(2.5) AS a, ROUND(-2.5) AS b, ROUND(1.25, 1) AS c, ROUND(-1.25, 1) AS d FROM dim
