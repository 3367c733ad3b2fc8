-- DuckDB spelling of fn_position_unicode.sql
SELECT id, STRPOS(note, 'é') AS p FROM trades
