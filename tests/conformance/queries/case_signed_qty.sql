-- conformance: CASE producing signed arithmetic
SELECT id, CASE WHEN side = 'SELL' THEN -qty ELSE qty END * price AS signed_notional FROM trades
