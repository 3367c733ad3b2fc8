-- conformance: notional threshold over JSON
SELECT id, price * qty AS notional FROM trades_json WHERE price * qty > 100000
