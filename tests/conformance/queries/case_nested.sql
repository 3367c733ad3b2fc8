-- conformance: nested CASE
SELECT id, CASE WHEN symbol IS NULL THEN 'none' ELSE CASE WHEN flag THEN symbol || '+' ELSE symbol END END AS s FROM trades
