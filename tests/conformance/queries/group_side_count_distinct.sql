-- conformance: GROUP BY side COUNT(DISTINCT)
-- requires: aggregation
SELECT side, COUNT(DISTINCT qty) AS dq, COUNT(DISTINCT note) AS dn FROM trades GROUP BY side
