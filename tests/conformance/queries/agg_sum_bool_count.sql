-- conformance: COUNT of a predicate via CASE
-- requires: aggregation
SELECT SUM(CASE WHEN flag THEN 1 ELSE 0 END) AS t FROM trades
