-- conformance: correlated NOT EXISTS (anti join; NULL keys pass)
-- requires: subqueries
SELECT id, symbol FROM trades t WHERE NOT EXISTS (SELECT 1 FROM dim d WHERE d.symbol = t.symbol)
