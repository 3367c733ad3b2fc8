-- CREATE TABLE ... AS SELECT ... GROUP BY writes its upsert changelog; a later query that joins
-- it runs the definition first (on a bounded input: the complete aggregate, one row per key) and
-- joins each order against it.
CREATE STREAM fills (trader VARCHAR, qty BIGINT) WITH ('uri' = 'file://fills.csv');
CREATE STREAM orders (id BIGINT, trader VARCHAR) WITH ('uri' = 'file://orders.csv');
CREATE TABLE positions AS SELECT trader, SUM(qty) AS position, COUNT(*) AS fills FROM fills GROUP BY trader
INTO 'file://positions.jsonl';
SELECT o.id, o.trader, p.position, p.fills FROM orders o LEFT JOIN positions p ON o.trader = p.trader ORDER BY o.id;
