-- expect: valid: LAG, ROW_NUMBER, running SUM
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, LAG(price, 1) OVER (PARTITION BY symbol ORDER BY ts) AS prev,
       ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY ts) AS rn,
       SUM(quantity) OVER (PARTITION BY symbol ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS q3
FROM trades;
