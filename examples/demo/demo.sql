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
) WITH ('uri' = 'file://data/trades.csv?format=csv&header=true', 'event.time.field' = 'ts');

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

-- Volume-weighted average price per symbol and minute of event time, exact to the cent-fraction.
CREATE STREAM vwap_1m AS
SELECT symbol,
       window_start,
       COUNT(*) AS trades,
       SUM(quantity) AS volume,
       SUM(price * quantity) / SUM(quantity) AS vwap,
       MIN(price) AS low,
       MAX(price) AS high
FROM trades
GROUP BY symbol
WINDOW TUMBLING(1m)
INTO 'file://out/vwap_1m.jsonl';
