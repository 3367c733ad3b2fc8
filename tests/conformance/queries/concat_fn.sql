-- conformance: CONCAT skips NULLs and takes any type
SELECT id, CONCAT(symbol, ':', qty, ':', price) AS c FROM trades
