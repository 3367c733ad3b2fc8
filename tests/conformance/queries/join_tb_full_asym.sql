-- conformance: FULL stream-stream join with an asymmetric bound (b strictly after a, at most 3 s)
-- requires: joins
SELECT a.id, b.id AS bid FROM trades a FULL JOIN trades_json b ON a.symbol = b.symbol AND b.ts > a.ts AND b.ts <= a.ts + INTERVAL '3' SECOND
