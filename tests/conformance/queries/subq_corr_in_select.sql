-- conformance: correlated IN as a select-list value
-- requires: subqueries
SELECT id, symbol IN (SELECT d.symbol FROM dim d WHERE d.sector = 'tech' AND d.listed > t.ts) AS tech FROM trades t
