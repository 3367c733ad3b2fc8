-- expect: valid (original dialect): `col PRIMARY KEY` in a CREATE TABLE select list
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
CREATE TABLE latest_price AS SELECT symbol PRIMARY KEY, LAST_VALUE(price) AS price FROM trades GROUP BY symbol;
