-- expect: valid: RANGE BETWEEN INTERVAL PRECEDING over a TIMESTAMP order
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, AVG(price) OVER (PARTITION BY symbol ORDER BY ts RANGE BETWEEN INTERVAL '5' MINUTE PRECEDING AND CURRENT ROW) FROM trades;
