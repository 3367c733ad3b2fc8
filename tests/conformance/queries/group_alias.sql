-- conformance: GROUP BY a select-list alias
-- requires: aggregation
SELECT UPPER(side) AS s, COUNT(*) AS n FROM trades GROUP BY s
