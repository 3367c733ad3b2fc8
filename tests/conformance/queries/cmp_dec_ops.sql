-- conformance: comparison operators on DECIMAL
SELECT id, price = 0 AS eq, price < fee AS lt, price >= 100.5 AS ge FROM trades
