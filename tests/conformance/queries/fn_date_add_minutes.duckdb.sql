-- DuckDB spelling of fn_date_add_minutes.sql
SELECT id, ts + INTERVAL 5 MINUTE AS t FROM trades
