-- conformance: RIGHT stream-stream join bounded by a >= / < pair (Flink interval join form)
-- requires: joins
SELECT a.id, b.id AS bid FROM trades a RIGHT JOIN trades_json b ON a.symbol = b.symbol AND a.ts >= b.ts AND a.ts < b.ts + INTERVAL '2' SECOND
