-- expect: bind error: unknown date part FORTNIGHT in EXTRACT
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT EXTRACT(FORTNIGHT FROM ts) FROM trades;
