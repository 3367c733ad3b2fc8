-- conformance: GROUP BY flag (BOOLEAN incl. NULL key) COUNT
-- requires: aggregation
SELECT flag, COUNT(*) AS n FROM trades GROUP BY flag
