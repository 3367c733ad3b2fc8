-- DuckDB spelling of fn_extract_epoch.sql
SELECT id, CAST(FLOOR(EXTRACT(EPOCH FROM ts)) AS BIGINT) AS e FROM trades
