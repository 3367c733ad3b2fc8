-- conformance: correlated NOT IN comparing BIGINT with DECIMAL (the selected value cast to the common type)
-- requires: subqueries
SELECT id FROM trades t WHERE qty NOT IN (SELECT d.weight FROM dim d WHERE d.symbol = t.symbol)
