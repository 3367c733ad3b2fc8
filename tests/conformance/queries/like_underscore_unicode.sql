-- conformance: LIKE _ matches one character (not byte)
SELECT id, symbol FROM trades WHERE symbol LIKE 'Zo_'
