-- conformance: DECIMAL * BIGINT (notional, large values)
SELECT id, price * qty AS notional FROM trades
