-- DuckDB spelling of tumble_filtered.sql
SELECT symbol, time_bucket(INTERVAL '1 minute', ts) AS window_start, COUNT(*) AS n FROM trades WHERE ts IS NOT NULL AND side = 'BUY' GROUP BY symbol, time_bucket(INTERVAL '1 minute', ts)
