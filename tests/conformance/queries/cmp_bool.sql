-- conformance: BOOLEAN comparison
SELECT id, flag = TRUE AS t, flag <> FALSE AS nf FROM trades
