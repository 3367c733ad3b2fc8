-- conformance: UPPER on ASCII text
SELECT id, UPPER(side) AS s FROM trades
