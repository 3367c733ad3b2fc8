-- conformance: DECIMAL equality across scales
SELECT id, price FROM trades WHERE price = 15.720
