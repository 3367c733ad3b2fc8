-- conformance: CASE mixing BIGINT and DECIMAL branches
SELECT id, CASE WHEN qty > 500 THEN qty ELSE price END AS v FROM trades
