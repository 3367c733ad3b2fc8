-- DuckDB spelling of tumble_sum.sql
SELECT symbol, time_bucket(INTERVAL '1 minute', ts) AS window_start, SUM(price) AS s, SUM(qty) AS q FROM trades WHERE ts IS NOT NULL GROUP BY symbol, time_bucket(INTERVAL '1 minute', ts)
