-- conformance: zero and cent prices
SELECT id, price FROM trades WHERE price = 0 OR price = 0.01
