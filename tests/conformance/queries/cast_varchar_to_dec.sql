-- conformance: VARCHAR -> DECIMAL literals
SELECT symbol, CAST('12.345' AS DECIMAL(6,2)) AS a, CAST('-0.005' AS DECIMAL(5,2)) AS b, CAST(' 7 ' AS DECIMAL(4,1)) AS c FROM dim
