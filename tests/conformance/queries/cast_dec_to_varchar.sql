-- conformance: DECIMAL -> VARCHAR is canonical
SELECT id, CAST(price AS VARCHAR) AS p, CAST(fee AS VARCHAR) AS f FROM trades
