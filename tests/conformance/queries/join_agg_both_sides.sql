-- conformance: aggregates over both sides of a JOIN
-- requires: joins
SELECT d.sector, MIN(t.price) AS lo, MAX(d.listed) AS newest, COUNT(DISTINCT t.side) AS sides FROM trades t JOIN dim d ON t.symbol = d.symbol GROUP BY d.sector
