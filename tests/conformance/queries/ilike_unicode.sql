-- conformance: ILIKE on non-ASCII letters
SELECT id, symbol FROM trades WHERE symbol ILIKE 'zoË'
