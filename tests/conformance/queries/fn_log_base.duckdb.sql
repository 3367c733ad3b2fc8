-- DuckDB spelling of fn_log_base.sql
SELECT id, LOG(2, qty) AS l FROM trades WHERE qty > 0
