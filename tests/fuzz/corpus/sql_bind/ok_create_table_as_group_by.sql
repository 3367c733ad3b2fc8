-- expect: valid: CREATE TABLE AS with GROUP BY: keyed by symbol
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
CREATE TABLE totals AS SELECT symbol, SUM(quantity) AS q FROM trades GROUP BY symbol;
