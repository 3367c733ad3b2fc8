-- conformance: EXISTS (uncorrelated): SELECT symbol FROM trades_json WHERE qty = 0
-- requires: subqueries
SELECT id FROM trades WHERE EXISTS (SELECT symbol FROM trades_json WHERE qty = 0) AND id < 1100
