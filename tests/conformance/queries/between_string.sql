-- conformance: BETWEEN on VARCHAR
SELECT id, symbol FROM trades WHERE symbol BETWEEN 'A' AND 'N'
