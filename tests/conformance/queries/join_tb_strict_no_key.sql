-- conformance: time-bounded join without an equality key (strict bounds, 200 ms window)
-- requires: joins
SELECT a.id, b.id AS bid FROM trades a JOIN trades_json b ON a.ts > b.ts AND a.ts < b.ts + INTERVAL '200' MILLISECOND
