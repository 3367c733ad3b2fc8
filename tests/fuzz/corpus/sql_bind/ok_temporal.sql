-- expect: valid: timestamps, dates, intervals
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT ts + INTERVAL '1' HOUR, DATE_TRUNC('minute', ts), EXTRACT(YEAR FROM ts) FROM trades WHERE ts >= TIMESTAMP '2024-01-01 00:00:00';
