-- conformance: DECIMAL compared with DECIMAL of another scale
SELECT id, price, fee FROM trades WHERE fee > price
