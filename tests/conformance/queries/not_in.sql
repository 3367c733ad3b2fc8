-- conformance: NOT IN
SELECT id, side FROM trades WHERE side NOT IN ('BUY', 'SELL')
