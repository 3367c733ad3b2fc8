-- conformance: every column of every row of the CSV source round-trips
SELECT id, ts, symbol, side, price, qty, fee, flag, note FROM trades
