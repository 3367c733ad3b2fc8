-- DuckDB spelling of fn_regexp_matches.sql
SELECT id, REGEXP_MATCHES(note, '^[a-z]+$') AS m FROM trades
