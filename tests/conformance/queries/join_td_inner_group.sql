-- conformance: JOIN then GROUP BY the right side's column
-- requires: joins
SELECT d.sector, COUNT(*) AS n, COUNT(t.id) AS nt, SUM(t.qty) AS q FROM trades t JOIN dim d ON t.symbol = d.symbol GROUP BY d.sector
