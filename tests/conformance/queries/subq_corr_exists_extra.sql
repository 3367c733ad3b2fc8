-- conformance: correlated EXISTS with an uncorrelated filter inside
-- requires: subqueries
SELECT id FROM trades t WHERE EXISTS (SELECT 1 FROM dim d WHERE d.symbol = t.symbol AND d.sector = 'tech')
