-- conformance: CAST to VARCHAR then ||
SELECT id, CAST(qty AS VARCHAR) || ' x ' || CAST(price AS VARCHAR) AS t FROM trades
