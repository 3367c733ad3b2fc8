-- DuckDB spelling of tumble_5m.sql
SELECT symbol, time_bucket(INTERVAL '5 minutes', ts) AS window_start, COUNT(*) AS n FROM trades WHERE ts IS NOT NULL GROUP BY symbol, time_bucket(INTERVAL '5 minutes', ts)
