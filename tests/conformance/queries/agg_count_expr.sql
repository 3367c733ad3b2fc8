-- conformance: COUNT of an expression
-- requires: aggregation
SELECT COUNT(NULLIF(qty, 0)) AS c FROM trades
