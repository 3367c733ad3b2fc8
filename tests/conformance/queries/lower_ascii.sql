-- conformance: LOWER on ASCII text
SELECT id, LOWER(side) AS s FROM trades
