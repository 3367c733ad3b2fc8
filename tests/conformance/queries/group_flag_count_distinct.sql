-- conformance: GROUP BY flag COUNT(DISTINCT)
-- requires: aggregation
SELECT flag, COUNT(DISTINCT qty) AS dq, COUNT(DISTINCT note) AS dn FROM trades GROUP BY flag
