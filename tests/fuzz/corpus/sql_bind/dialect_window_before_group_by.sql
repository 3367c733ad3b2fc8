-- expect: valid (original dialect): WINDOW before GROUP BY (standard position)
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, COUNT(*) FROM trades WINDOW TUMBLING(5m) GROUP BY symbol;
