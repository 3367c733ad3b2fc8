-- conformance: GROUP BY side (VARCHAR incl. NULL key) COUNT
-- requires: aggregation
SELECT side, COUNT(*) AS n FROM trades GROUP BY side
