-- conformance: scalar VARCHAR subquery in a concatenation
-- requires: subqueries
SELECT id, symbol || '-' || (SELECT MIN(sector) FROM dim) AS t FROM trades WHERE id < 1050
