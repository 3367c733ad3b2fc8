-- expect: bind error: unknown column in GROUP BY
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT COUNT(*) FROM trades GROUP BY symbl;
