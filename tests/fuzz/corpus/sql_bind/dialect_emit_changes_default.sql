-- expect: valid (original dialect): EMIT CHANGES on a windowed aggregate
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, SUM(quantity) FROM trades GROUP BY symbol WINDOW TUMBLING(1m) EMIT CHANGES;
