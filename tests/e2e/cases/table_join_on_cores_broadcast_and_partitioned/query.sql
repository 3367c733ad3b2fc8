-- stream-table joins on any number of cores give the one-core rows (as a multiset without ORDER BY):
-- a broadcast table (every core keeps a copy, the stream is probed where it is read) and partitioned
-- tables (each core keeps the keys it owns, stream rows travel to the owner of their join key).
-- Latest row per primary key, NULL primary key to the dead-letter queue once, NULL join keys never
-- match, a key or ON predicate that fails to evaluate goes to the dead-letter queue once.
CREATE TABLE pos_b (trader VARCHAR PRIMARY KEY, desk VARCHAR, limit_qty BIGINT)
  WITH ('uri' = 'file://positions.csv', 'table.mode' = 'broadcast');
CREATE TABLE pos_p (trader VARCHAR PRIMARY KEY, desk VARCHAR, limit_qty BIGINT)
  WITH ('uri' = 'file://positions.csv', 'table.mode' = 'partitioned');
CREATE TABLE books (id BIGINT PRIMARY KEY, trader VARCHAR, book VARCHAR) WITH ('uri' = 'file://books.csv');
CREATE STREAM trades (id BIGINT, trader VARCHAR, qty BIGINT, div BIGINT, ref VARCHAR)
  WITH ('uri' = 'file://trades.csv');

CREATE STREAM b_inner AS SELECT t.id, t.trader, p.desk FROM trades t JOIN pos_b p ON t.trader = p.trader
INTO 'file://b_inner.jsonl' WITH ('dlq' = 'file://b_inner_dead.jsonl');
CREATE STREAM b_left AS
SELECT t.id, p.desk, p.limit_qty FROM trades t LEFT JOIN pos_b p ON t.trader = p.trader AND t.qty / t.div <= p.limit_qty
INTO 'file://b_left.jsonl' WITH ('dlq' = 'file://b_left_dead.jsonl');

CREATE STREAM p_inner AS SELECT t.id, t.trader, p.desk FROM trades t JOIN pos_p p ON t.trader = p.trader
INTO 'file://p_inner.jsonl' WITH ('dlq' = 'file://p_inner_dead.jsonl');
CREATE STREAM p_left AS
SELECT t.id, p.desk, p.limit_qty FROM trades t LEFT JOIN pos_p p ON t.trader = p.trader AND t.qty / t.div <= p.limit_qty
INTO 'file://p_left.jsonl' WITH ('dlq' = 'file://p_left_dead.jsonl');

-- joined on a column that is not the primary key: a book moved to another trader by a later row
-- must leave the core of its old trader too
CREATE STREAM p_books AS SELECT t.id, b.id AS book_id, b.book FROM trades t JOIN books b ON t.trader = b.trader
INTO 'file://p_books.jsonl';
-- a join key that fails to evaluate (CAST of 'x'): the stream row goes to the dead-letter queue once
CREATE STREAM p_cast AS SELECT t.id, b.book FROM trades t LEFT JOIN books b ON CAST(t.ref AS BIGINT) = b.id
INTO 'file://p_cast.jsonl' WITH ('dlq' = 'file://p_cast_dead.jsonl');
