-- LIMIT passes the first n rows (in input order without ORDER BY, after the sort with it);
-- SELECT DISTINCT emits each distinct row the first time it is seen (NULL equals NULL, DECIMAL
-- values by value), and with ORDER BY in sorted order
CREATE STREAM t (id BIGINT, symbol VARCHAR, price DECIMAL(12,2), qty BIGINT) WITH ('uri' = 'file://t.csv');
CREATE STREAM first3 AS SELECT id FROM t LIMIT 3 INTO 'file://first3.jsonl';
CREATE STREAM top2 AS SELECT id, price FROM t ORDER BY price DESC, id LIMIT 2 INTO 'file://top2.jsonl';
CREATE STREAM none AS SELECT id FROM t LIMIT 0 INTO 'file://none.jsonl';
CREATE STREAM symbols AS SELECT DISTINCT symbol FROM t INTO 'file://symbols.jsonl';
CREATE STREAM prices AS SELECT DISTINCT price FROM t INTO 'file://prices.jsonl';
CREATE STREAM qtys AS SELECT DISTINCT qty FROM t ORDER BY qty DESC LIMIT 4 INTO 'file://qtys.jsonl';
