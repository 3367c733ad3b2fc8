-- conformance: correlated scalar next to a window function in the select list
-- requires: subqueries
SELECT id, ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY id) AS rn, (SELECT MAX(d.weight) FROM dim d WHERE d.symbol = t.symbol) AS w FROM trades t
