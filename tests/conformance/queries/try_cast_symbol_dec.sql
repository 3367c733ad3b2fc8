-- conformance: TRY_CAST text to DECIMAL gives NULL on failure
SELECT id, TRY_CAST(symbol AS DECIMAL(10,2)) AS n FROM trades
