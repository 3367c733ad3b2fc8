-- conformance: correlated scalar MAX in the select list (LEFT JOIN to a grouped subquery)
-- requires: subqueries
SELECT id, (SELECT MAX(d.weight) FROM dim d WHERE d.symbol = t.symbol) AS w FROM trades t
