-- expect: warning: a join of two unbounded streams without WITHIN keeps both sides forever
CREATE STREAM a (k BIGINT, ts TIMESTAMP) WITH ('uri' = 'kafka://localhost:9092/a', 'event.time.field' = 'ts');
CREATE STREAM b (k BIGINT, ts TIMESTAMP) WITH ('uri' = 'kafka://localhost:9092/b', 'event.time.field' = 'ts');
SELECT a.k FROM a JOIN b ON a.k = b.k;
