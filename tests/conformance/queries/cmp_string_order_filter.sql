-- conformance: VARCHAR range filter
SELECT id, symbol FROM trades WHERE symbol > 'MSFT'
