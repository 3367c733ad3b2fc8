-- conformance: UPPER on non-ASCII text
-- known-difference: DuckDB semantic difference: DuckDB upper-cases 'ß' to 'ẞ' (U+1E9E); velo-sql keeps 'ß' (Unicode simple case mapping, as PostgreSQL does)
SELECT id, UPPER(symbol) AS s FROM trades
