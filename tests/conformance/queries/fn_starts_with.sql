-- conformance: STARTS_WITH
-- requires: functions
SELECT id, STARTS_WITH(symbol, 'Zo') AS s FROM trades
