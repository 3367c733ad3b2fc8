-- DuckDB spelling of tumble_1h.sql
SELECT symbol, time_bucket(INTERVAL '1 hour', ts) AS window_start, SUM(price * qty) AS notional FROM trades WHERE ts IS NOT NULL GROUP BY symbol, time_bucket(INTERVAL '1 hour', ts)
