-- DuckDB spelling of fn_datediff_seconds.sql
SELECT id, DATE_DIFF('second', TIMESTAMP '2026-01-05 09:30:00', ts) AS d FROM trades
