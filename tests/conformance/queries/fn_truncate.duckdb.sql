-- DuckDB spelling of fn_truncate.sql
SELECT id, TRUNC(price, 1) AS t, TRUNC(fee) AS f FROM trades
