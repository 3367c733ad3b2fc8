-- conformance: correlated EXISTS on one equality (decorrelated to a semi join)
-- requires: subqueries
SELECT id FROM trades t WHERE EXISTS (SELECT 1 FROM dim d WHERE d.symbol = t.symbol)
