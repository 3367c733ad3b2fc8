-- conformance: IN (subquery) inside CASE
-- requires: subqueries
SELECT id, CASE WHEN symbol IN (SELECT symbol FROM dim WHERE sector = 'tech') THEN 'tech' ELSE 'other' END AS k FROM trades
