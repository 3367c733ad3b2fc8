-- DuckDB spelling of tumble_30s.sql
SELECT side, time_bucket(INTERVAL '30 seconds', ts) AS window_start, COUNT(*) AS n FROM trades WHERE ts IS NOT NULL GROUP BY side, time_bucket(INTERVAL '30 seconds', ts)
