-- conformance: CASE without ELSE gives NULL
SELECT id, CASE WHEN qty = 0 THEN 'zero' END AS z FROM trades
