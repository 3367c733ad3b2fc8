-- DuckDB spelling of tumble_median.sql
SELECT symbol, time_bucket(INTERVAL '5 minutes', ts) AS window_start, MEDIAN(qty) AS m FROM trades WHERE ts IS NOT NULL GROUP BY symbol, time_bucket(INTERVAL '5 minutes', ts)
