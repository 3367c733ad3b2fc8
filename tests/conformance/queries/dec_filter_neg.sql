-- conformance: negative DECIMAL filter
SELECT id, price FROM trades WHERE price < 0
