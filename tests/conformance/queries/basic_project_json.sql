-- conformance: every column of every row of the JSON lines source round-trips
SELECT id, ts, symbol, side, price, qty, fee, flag, note FROM trades_json
