-- DuckDB spelling of fn_position.sql
SELECT id, STRPOS(note, 'a') AS p FROM trades
