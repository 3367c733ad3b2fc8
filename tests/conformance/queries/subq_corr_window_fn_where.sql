-- conformance: correlated scalar in WHERE under a window function (its columns dropped before)
-- requires: subqueries
SELECT id, LAG(id) OVER (ORDER BY id) AS prev FROM trades t WHERE (SELECT MAX(d.weight) FROM dim d WHERE d.symbol = t.symbol) > 1
