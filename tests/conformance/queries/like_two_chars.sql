-- conformance: LIKE '__' matches two characters
SELECT id, symbol FROM trades WHERE symbol LIKE '__'
