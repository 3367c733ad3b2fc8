-- conformance: CASE in WHERE
SELECT id FROM trades WHERE CASE WHEN side = 'BUY' THEN qty > 500 ELSE qty < 10 END
