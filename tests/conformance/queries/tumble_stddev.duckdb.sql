-- DuckDB spelling of tumble_stddev.sql
SELECT symbol, time_bucket(INTERVAL '5 minutes', ts) AS window_start, STDDEV_POP(qty) AS s FROM trades WHERE ts IS NOT NULL GROUP BY symbol, time_bucket(INTERVAL '5 minutes', ts)
