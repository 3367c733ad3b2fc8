-- conformance: simple CASE on a NULL operand takes ELSE
SELECT id, CASE flag WHEN TRUE THEN 'y' WHEN FALSE THEN 'n' ELSE '?' END AS f FROM trades
