-- conformance: UNION ALL of one source with itself
-- requires: union
SELECT id, side FROM trades WHERE side = 'BUY' AND id < 1100 UNION ALL SELECT id, side FROM trades WHERE side = 'SELL' AND id < 1100
