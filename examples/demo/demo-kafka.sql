-- Velostream-C Kafka demo (make demo): the same trades, read from a Kafka topic that
-- `velo-sql dev-kafka` serves. run-demo.sh points 127.0.0.1:9092 at the broker it started.
-- Both jobs read the topic up to the end seen at start ('scan.bounded.mode'='latest-offset'),
-- so the demo ends by itself; without that option they run until Ctrl-C.

CREATE STREAM kafka_trades (
    trade_id BIGINT,
    ts TIMESTAMP,
    symbol VARCHAR,
    trader VARCHAR,
    side VARCHAR,
    price DECIMAL(12, 2),
    quantity BIGINT
) WITH ('uri' = 'kafka://127.0.0.1:9092/trades?format=csv',
        'event.time.field' = 'ts',
        'scan.bounded.mode' = 'latest-offset',
        'dlq.topic' = 'trades_dlq');

-- Kafka -> Kafka: large buys, keyed by symbol (partitioned with murmur2, as Java producers do).
CREATE STREAM big_buys AS
SELECT trade_id, ts, symbol, trader, price, quantity, price * quantity AS notional, _partition AS src_partition
FROM kafka_trades
WHERE side = 'BUY' AND quantity >= 1000
INTO 'kafka://127.0.0.1:9092/big_buys'
WITH ('group.id' = 'demo-big-buys', 'key.field' = 'symbol');

-- Kafka -> file: volume-weighted average price per symbol and minute of event time.
CREATE STREAM kafka_vwap_1m AS
SELECT symbol, window_start, COUNT(*) AS trades, SUM(quantity) AS volume,
       SUM(price * quantity) / SUM(quantity) AS vwap
FROM kafka_trades
GROUP BY symbol
WINDOW TUMBLING(1m)
INTO 'file://out/kafka_vwap_1m.jsonl'
WITH ('group.id' = 'demo-vwap');
