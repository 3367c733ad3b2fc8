-- conformance: JOIN + GROUP BY + HAVING
-- requires: joins
SELECT t.symbol, COUNT(*) AS n FROM trades t JOIN dim d ON t.symbol = d.symbol GROUP BY t.symbol HAVING COUNT(*) > 400
