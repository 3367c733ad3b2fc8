-- expect: valid: window_start / window_end in the select list
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, window_start, window_end, COUNT(*) FROM trades GROUP BY symbol WINDOW TUMBLING(1h);
