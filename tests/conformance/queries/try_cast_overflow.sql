-- conformance: TRY_CAST DECIMAL overflow gives NULL
SELECT id, TRY_CAST(price AS DECIMAL(8,1)) AS p FROM trades
