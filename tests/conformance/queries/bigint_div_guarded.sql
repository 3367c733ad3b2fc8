-- conformance: BIGINT division guarded by CASE against zero
SELECT id, CASE WHEN qty <> 0 THEN id / qty END AS r FROM trades
