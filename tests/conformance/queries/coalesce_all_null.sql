-- conformance: COALESCE of NULL columns
SELECT id, COALESCE(symbol, side, note) AS s FROM trades
