-- conformance: two correlated EXISTS in one WHERE
-- requires: subqueries
SELECT id FROM trades t WHERE EXISTS (SELECT 1 FROM dim d WHERE d.symbol = t.symbol) AND NOT EXISTS (SELECT 1 FROM dim e WHERE e.symbol = t.symbol AND e.sector = 'tech')
