-- conformance: IS NULL on every column
SELECT id, ts IS NULL AS a, symbol IS NULL AS b, price IS NULL AS c, flag IS NULL AS d, note IS NULL AS e FROM trades
