-- expect: bind error: a WINDOW clause without aggregates has no per-window value for `*`
CREATE STREAM orders (id BIGINT, amount DECIMAL(12,2), ts TIMESTAMP)
    WITH ('uri' = 'file://orders.jsonl', 'event.time.field' = 'ts');
SELECT * FROM orders WINDOW TUMBLING(30s);
