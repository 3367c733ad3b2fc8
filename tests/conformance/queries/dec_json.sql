-- conformance: DECIMAL arithmetic over JSON lines input
SELECT id, price * qty AS notional, price + fee AS s FROM trades_json
