-- a window's state (one group per key and open window) counts against 'state.max.bytes' too
SET 'state.max.bytes' = '256KB';
CREATE STREAM s (k BIGINT, ts TIMESTAMP) WITH ('uri' = 'file://events.csv', 'event.time.field' = 'ts');
SELECT k, COUNT(*) AS n, window_start FROM s GROUP BY k WINDOW TUMBLING(INTERVAL '1' HOUR);
