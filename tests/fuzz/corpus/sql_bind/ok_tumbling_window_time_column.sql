-- expect: valid: TUMBLING(ts, INTERVAL '5' MINUTE)
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, SUM(quantity) FROM trades GROUP BY symbol WINDOW TUMBLING(ts, INTERVAL '5' MINUTE);
