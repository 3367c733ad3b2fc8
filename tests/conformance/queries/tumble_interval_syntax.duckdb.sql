-- DuckDB spelling of tumble_interval_syntax.sql
SELECT symbol, time_bucket(INTERVAL '1 minute', ts) AS window_start, COUNT(*) AS n FROM trades WHERE ts IS NOT NULL GROUP BY symbol, time_bucket(INTERVAL '1 minute', ts)
