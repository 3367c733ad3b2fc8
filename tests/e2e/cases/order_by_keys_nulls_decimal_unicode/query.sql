-- ORDER BY on a bounded file: several keys, DESC, NULLS LAST by default in both directions
-- (as DuckDB), NULLS FIRST when asked, DECIMAL by value, strings by UTF-8 bytes (code points),
-- ties broken by arrival order, and ORDER BY an expression that is not selected (never written)
CREATE STREAM t (id BIGINT, symbol VARCHAR, price DECIMAL(12,2), qty BIGINT) WITH ('uri' = 'file://t.csv');
CREATE STREAM a AS SELECT id, symbol, price FROM t ORDER BY symbol, price DESC INTO 'file://a.jsonl';
CREATE STREAM b AS SELECT id, price FROM t ORDER BY price NULLS FIRST, id INTO 'file://b.jsonl';
CREATE STREAM c AS SELECT id, qty FROM t ORDER BY qty DESC, id DESC INTO 'file://c.jsonl';
CREATE STREAM d AS SELECT symbol FROM t WHERE price IS NOT NULL ORDER BY price * qty DESC, id INTO 'file://d.csv';
