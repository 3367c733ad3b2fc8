-- conformance: GROUP BY an expression
-- requires: aggregation
SELECT qty % 10 AS k, COUNT(*) AS n FROM trades GROUP BY qty % 10
