-- conformance: VARCHAR equality with Unicode
SELECT id, symbol FROM trades WHERE symbol = 'Zoë'
