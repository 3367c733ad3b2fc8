-- conformance: correlated EXISTS next to ordinary WHERE conjuncts
-- requires: subqueries
SELECT id FROM trades t WHERE t.qty > 100 AND EXISTS (SELECT 1 FROM dim d WHERE d.symbol = t.symbol) AND t.flag
