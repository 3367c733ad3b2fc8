-- conformance: SIGN
-- requires: functions
SELECT id, SIGN(price) AS s, SIGN(qty) AS q FROM trades
