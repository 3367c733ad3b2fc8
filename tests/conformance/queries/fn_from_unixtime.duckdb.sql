-- DuckDB spelling of fn_from_unixtime.sql
SELECT id, CAST(TO_TIMESTAMP(qty) AS TIMESTAMP) AS t FROM trades
