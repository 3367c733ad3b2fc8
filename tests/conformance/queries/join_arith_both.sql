-- conformance: arithmetic over both sides (guarded)
-- requires: joins
SELECT t.id, CASE WHEN d.weight <> 0 THEN t.qty / d.weight END AS r FROM trades t JOIN dim d ON t.symbol = d.symbol WHERE t.qty < 1000
