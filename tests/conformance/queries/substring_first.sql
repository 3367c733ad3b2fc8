-- conformance: SUBSTRING(s, 1, 1) of CJK
SELECT id, SUBSTRING(symbol, 1, 1) AS s FROM trades
