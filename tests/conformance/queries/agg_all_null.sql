-- conformance: SUM of all-NULL is NULL
-- requires: aggregation
SELECT SUM(price) AS s, MAX(note) AS m, COUNT(price) AS c FROM trades WHERE price IS NULL
