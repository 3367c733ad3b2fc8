-- DuckDB spelling of tumble_avg.sql
SELECT symbol, time_bucket(INTERVAL '1 minute', ts) AS window_start, AVG(qty) AS a FROM trades WHERE ts IS NOT NULL GROUP BY symbol, time_bucket(INTERVAL '1 minute', ts)
