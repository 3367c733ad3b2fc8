-- conformance: correlated NOT IN over empty sets is TRUE, even for a NULL value
-- requires: subqueries
SELECT id, symbol FROM trades t WHERE symbol NOT IN (SELECT d.symbol FROM dim d WHERE d.sector = t.side)
