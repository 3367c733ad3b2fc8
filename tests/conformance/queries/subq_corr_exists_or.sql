-- conformance: correlated EXISTS under OR (mark join)
-- requires: subqueries
SELECT id FROM trades t WHERE qty > 900000 OR EXISTS (SELECT 1 FROM dim d WHERE d.symbol = t.symbol AND d.sector = 'tech')
