-- DuckDB spelling of fn_unix_timestamp.sql
SELECT id, CAST(FLOOR(EPOCH(ts)) AS BIGINT) AS u FROM trades
