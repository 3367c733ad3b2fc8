-- expect: valid (original dialect): CURRENT_TIMESTAMP without parentheses
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, CURRENT_TIMESTAMP AS seen_at, CURRENT_TIMESTAMP() AS also_now FROM trades;
