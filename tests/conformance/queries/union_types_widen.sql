-- conformance: UNION ALL widens column types (BIGINT with DECIMAL)
-- requires: union
SELECT id, qty AS v FROM trades WHERE id < 1010 UNION ALL SELECT id, price FROM trades_json WHERE id < 1010
