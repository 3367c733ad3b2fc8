-- conformance: COUNT over dim
-- requires: aggregation
SELECT sector, COUNT(*) AS n, SUM(weight) AS w FROM dim GROUP BY sector
