-- DuckDB spelling of tumble_count_distinct.sql
SELECT symbol, time_bucket(INTERVAL '5 minutes', ts) AS window_start, COUNT(DISTINCT side) AS d FROM trades WHERE ts IS NOT NULL GROUP BY symbol, time_bucket(INTERVAL '5 minutes', ts)
