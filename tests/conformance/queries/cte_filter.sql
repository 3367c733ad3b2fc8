-- conformance: WITH (CTE)
-- requires: cte
WITH big AS (SELECT id, price FROM trades WHERE price > 1000) SELECT id, price FROM big WHERE id % 2 = 0
