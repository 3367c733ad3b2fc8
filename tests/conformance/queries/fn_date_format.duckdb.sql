-- DuckDB spelling of fn_date_format.sql
SELECT id, STRFTIME(ts, '%Y-%m-%d %H:%M') AS t FROM trades
