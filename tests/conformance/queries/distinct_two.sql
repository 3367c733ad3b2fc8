-- conformance: SELECT DISTINCT two columns
-- requires: aggregation
SELECT DISTINCT symbol, side FROM trades
