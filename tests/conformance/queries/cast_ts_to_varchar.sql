-- conformance: TIMESTAMP -> VARCHAR
-- known-difference: DuckDB semantic difference: CAST(TIMESTAMP AS VARCHAR) is '2026-01-05 09:30:00.151' in DuckDB, ISO-8601 '2026-01-05T09:30:00.151Z' in velo-sql (its documented value text)
SELECT id, CAST(ts AS VARCHAR) AS t FROM trades
