-- conformance: TRY_CAST text to BIGINT gives NULL on failure
SELECT id, TRY_CAST(note AS BIGINT) AS n FROM trades
