-- conformance: CASE returning NULL in one branch
SELECT id, CASE WHEN price > 0 THEN NULL ELSE price END AS v FROM trades
