-- conformance: JOIN then GROUP BY
-- requires: joins
SELECT d.sector, COUNT(*) AS n, SUM(t.qty) AS q FROM trades t JOIN dim d ON t.symbol = d.symbol GROUP BY d.sector
