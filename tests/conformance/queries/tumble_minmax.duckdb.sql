-- DuckDB spelling of tumble_minmax.sql
SELECT symbol, time_bucket(INTERVAL '1 minute', ts) AS window_start, MIN(price) AS lo, MAX(price) AS hi FROM trades WHERE ts IS NOT NULL GROUP BY symbol, time_bucket(INTERVAL '1 minute', ts)
