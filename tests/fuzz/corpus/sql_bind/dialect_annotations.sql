-- expect: valid (original dialect): -- @name: value annotations before a statement
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
-- @name: big_trades
-- @description: trades over 1000 shares
-- @job_mode: simple
CREATE STREAM big AS SELECT * FROM trades WHERE quantity > 1000 INTO 'file://big.jsonl';
