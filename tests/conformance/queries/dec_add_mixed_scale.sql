-- conformance: DECIMAL(18,2) + DECIMAL(10,4): scale 4
SELECT id, price + fee AS a, price - fee AS b, fee - price AS c FROM trades
