-- expect: valid, no warning: BETWEEN on both event times bounds the stream-stream join like WITHIN
CREATE STREAM a (k BIGINT, ts TIMESTAMP) WITH ('uri' = 'kafka://localhost:9092/a', 'event.time.field' = 'ts');
CREATE STREAM b (k BIGINT, ts TIMESTAMP) WITH ('uri' = 'kafka://localhost:9092/b', 'event.time.field' = 'ts');
SELECT a.k FROM a JOIN b ON a.k = b.k AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '5' MINUTE;
