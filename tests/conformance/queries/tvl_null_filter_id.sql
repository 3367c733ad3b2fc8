-- conformance: rows with NULL id
SELECT ts, symbol FROM trades WHERE id IS NULL
