-- DuckDB spelling of tumble_json.sql
SELECT symbol, time_bucket(INTERVAL '1 minute', ts) AS window_start, SUM(fee) AS f FROM trades_json WHERE ts IS NOT NULL GROUP BY symbol, time_bucket(INTERVAL '1 minute', ts)
