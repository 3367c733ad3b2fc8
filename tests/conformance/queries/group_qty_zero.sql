-- conformance: GROUP BY a predicate
-- requires: aggregation
SELECT qty = 0 AS zero, COUNT(*) AS n FROM trades GROUP BY qty = 0
