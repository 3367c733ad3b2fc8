-- conformance: LIKE with %
SELECT id, symbol FROM trades WHERE symbol LIKE 'A%'
