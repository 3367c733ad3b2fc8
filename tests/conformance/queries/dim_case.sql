-- conformance: CASE over dim
SELECT symbol, CASE WHEN weight > 1 THEN 'heavy' WHEN weight >= 0 THEN 'light' ELSE 'short' END AS k FROM dim
