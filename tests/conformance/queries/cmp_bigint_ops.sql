-- conformance: all comparison operators on BIGINT as values
SELECT id, qty = 0 AS eq, qty <> 0 AS ne, qty != 5 AS ne2, qty < 10 AS lt, qty <= 10 AS le, qty > 999 AS gt, qty >= 999 AS ge FROM trades
