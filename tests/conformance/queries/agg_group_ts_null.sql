-- conformance: GROUP BY keeps the NULL group
-- requires: aggregation
SELECT ts IS NULL AS missing, COUNT(*) AS n FROM trades GROUP BY ts IS NULL
