-- DuckDB spelling of tumble_two_keys.sql
SELECT symbol, side, time_bucket(INTERVAL '1 minute', ts) AS window_start, COUNT(*) AS n FROM trades WHERE ts IS NOT NULL GROUP BY symbol, side, time_bucket(INTERVAL '1 minute', ts)
