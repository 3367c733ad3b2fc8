-- conformance: correlated scalar in the WHERE of a GROUP BY query (joined before grouping)
-- requires: subqueries
SELECT side, COUNT(*) AS n FROM trades t WHERE qty > (SELECT MIN(j.qty) FROM trades_json j WHERE j.symbol = t.symbol) GROUP BY side
