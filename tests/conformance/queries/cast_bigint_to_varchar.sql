-- conformance: BIGINT -> VARCHAR
SELECT id, CAST(qty AS VARCHAR) AS q, CAST(id AS VARCHAR) AS i FROM trades
