-- conformance: DECIMAL * DECIMAL: scale s1+s2
SELECT id, price * fee AS a, fee * fee AS b FROM trades
