-- conformance: correlated scalar MIN over DATE
-- requires: subqueries
SELECT symbol, (SELECT MIN(b.listed) FROM dim b WHERE b.sector = a.sector) AS first_listed FROM dim a
