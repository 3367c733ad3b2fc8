-- conformance: DATE -> VARCHAR and TIMESTAMP
SELECT symbol, CAST(listed AS VARCHAR) AS d, CAST(listed AS TIMESTAMP) AS t FROM dim
