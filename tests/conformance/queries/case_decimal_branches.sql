-- conformance: CASE branches of different DECIMAL scales
SELECT id, CASE WHEN flag THEN price ELSE fee END AS v FROM trades
