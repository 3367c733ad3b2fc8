-- a file table is loaded whole before the stream starts; the latest row per primary key wins and a
-- row with a NULL key goes to the dead-letter queue. INNER drops trades without a position, LEFT
-- keeps them with NULLs; the extra predicate is part of the match (a LEFT row that fails it gets NULLs).
CREATE TABLE positions (trader VARCHAR PRIMARY KEY, desk VARCHAR, limit_qty BIGINT)
  WITH ('uri' = 'file://positions.csv');
CREATE STREAM trades (id BIGINT, trader VARCHAR, qty BIGINT) WITH ('uri' = 'file://trades.csv');

CREATE STREAM enriched AS
SELECT t.id, t.trader, p.desk FROM trades t JOIN positions p ON t.trader = p.trader
INTO 'file://inner.jsonl' WITH ('dlq' = 'file://dead.jsonl');

CREATE STREAM checked AS
SELECT t.id, p.desk, p.limit_qty FROM trades t LEFT JOIN positions p ON t.trader = p.trader AND t.qty <= p.limit_qty
INTO 'file://left.jsonl' WITH ('dlq' = 'file://dead2.jsonl');
