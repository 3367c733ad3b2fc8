-- conformance: window function over a JOIN
-- requires: joins
SELECT t.id, ROW_NUMBER() OVER (PARTITION BY d.sector ORDER BY t.id) AS rn FROM trades t JOIN dim d ON t.symbol = d.symbol WHERE t.id IS NOT NULL
