-- conformance: BOOLEAN -> VARCHAR
SELECT id, CAST(flag AS VARCHAR) AS f FROM trades
