-- conformance: correlated EXISTS over a JOIN in FROM
-- requires: subqueries
SELECT t.id, d.sector FROM trades t JOIN dim d ON t.symbol = d.symbol WHERE EXISTS (SELECT 1 FROM trades_json j WHERE j.id = t.id AND j.flag)
