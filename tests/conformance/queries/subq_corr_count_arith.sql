-- conformance: correlated COUNT(*) and COUNT(x) inside an arithmetic select expression
-- requires: subqueries
SELECT id, (SELECT COUNT(*) * 10 + COUNT(d.weight) FROM dim d WHERE d.symbol = t.symbol) AS c FROM trades t
