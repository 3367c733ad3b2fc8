-- expect: valid: CAST, TRY_CAST and ::
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT CAST(quantity AS DECIMAL(18,2)), TRY_CAST(symbol AS BIGINT), price::DOUBLE FROM trades;
