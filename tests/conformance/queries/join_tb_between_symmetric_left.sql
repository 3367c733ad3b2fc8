-- conformance: LEFT stream-stream join bounded by BETWEEN b.ts - 1 s AND b.ts + 1 s
-- requires: joins
SELECT a.id, b.id AS bid, b.side AS bside FROM trades a LEFT JOIN trades_json b ON a.side = b.side AND a.ts BETWEEN b.ts - INTERVAL '1' SECOND AND b.ts + INTERVAL '1' SECOND
