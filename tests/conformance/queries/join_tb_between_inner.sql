-- conformance: stream-stream join bounded by BETWEEN on both event times (asymmetric: b within 1 s after a)
-- requires: joins
SELECT a.id, b.id AS bid FROM trades a JOIN trades_json b ON a.symbol = b.symbol AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '1' SECOND
