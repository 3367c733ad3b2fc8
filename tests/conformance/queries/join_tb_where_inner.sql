-- conformance: an INNER stream-stream join bounded by BETWEEN in WHERE (the WHERE rejects the pairs outside, so it bounds the join)
-- requires: joins
SELECT a.id, b.id AS bid FROM trades a JOIN trades_json b ON a.symbol = b.symbol WHERE b.ts BETWEEN a.ts - INTERVAL '1' SECOND AND a.ts + INTERVAL '500' MILLISECOND AND a.qty > 100
