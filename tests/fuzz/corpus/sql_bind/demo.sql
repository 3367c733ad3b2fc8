-- Velostream-C demo: large buy orders with their notional value, exact to the cent.
-- Relative file:// paths resolve against this file's folder.

CREATE STREAM trades (
    trade_id BIGINT,
    ts TIMESTAMP,
    symbol VARCHAR,
    trader VARCHAR,
    side VARCHAR,
    price DECIMAL(12, 2),
    quantity BIGINT
) WITH ('uri' = 'file://data/trades.csv?format=csv&header=true');

CREATE STREAM big_buys AS
SELECT trade_id,
       ts,
       symbol,
       UPPER(trader) AS trader,
       price,
       quantity,
       price * quantity AS notional,
       CASE WHEN price * quantity >= 500000 THEN 'block' ELSE 'large' END AS size_class
FROM trades
WHERE side = 'BUY' AND quantity >= 1000
INTO 'file://out/big_buys.jsonl'
WITH ('dlq' = 'file://out/rejected.jsonl');
