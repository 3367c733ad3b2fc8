-- expect: valid: searched and simple CASE
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT CASE WHEN price > 100 THEN 'high' ELSE 'low' END AS band, CASE side WHEN 'BUY' THEN 1 ELSE -1 END AS sign FROM trades;
