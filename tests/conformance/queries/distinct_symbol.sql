-- conformance: SELECT DISTINCT
-- requires: aggregation
SELECT DISTINCT symbol FROM trades
