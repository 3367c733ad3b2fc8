-- conformance: UPPER in WHERE
SELECT id, side FROM trades WHERE UPPER(side) = 'BUY'
