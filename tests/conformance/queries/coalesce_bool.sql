-- conformance: COALESCE on BOOLEAN
SELECT id, COALESCE(flag, FALSE) AS f FROM trades
