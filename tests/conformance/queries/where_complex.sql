-- conformance: a realistic filter
SELECT id, symbol, price * qty AS notional FROM trades WHERE side = 'BUY' AND qty >= 500 AND price > 0
