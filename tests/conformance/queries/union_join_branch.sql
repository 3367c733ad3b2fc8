-- conformance: UNION ALL where one branch is a JOIN
-- requires: union
SELECT t.id, d.sector AS s FROM trades t JOIN dim d ON t.symbol = d.symbol WHERE t.qty = 0 UNION ALL SELECT id, note FROM trades_json WHERE qty = 1
