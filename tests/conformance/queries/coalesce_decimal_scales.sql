-- conformance: COALESCE across DECIMAL scales and BIGINT
SELECT id, COALESCE(price, fee, 0) AS v FROM trades
