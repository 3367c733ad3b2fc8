-- conformance: SELECT DISTINCT with NULL
-- requires: aggregation
SELECT DISTINCT flag FROM trades
