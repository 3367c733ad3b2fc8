-- expect: bind error at the join key with mismatched types
CREATE TABLE positions (trader VARCHAR PRIMARY KEY, desk VARCHAR) WITH ('uri' = 'file://p.csv');
CREATE STREAM trades (id BIGINT, trader_id BIGINT) WITH ('uri' = 'file://t.csv');
SELECT t.id, p.desk FROM trades t JOIN positions p ON t.trader_id = p.trader;
