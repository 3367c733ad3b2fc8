-- conformance: correlated scalar SUM with an uncorrelated filter inside
-- requires: subqueries
SELECT id, (SELECT SUM(d.weight) FROM dim d WHERE d.sector = 'tech' AND d.symbol = t.symbol) AS w FROM trades t
