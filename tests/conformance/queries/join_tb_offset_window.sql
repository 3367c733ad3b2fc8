-- conformance: time bound offset from zero: b between 1 s and 2 s before a, with an extra predicate
-- requires: joins
SELECT a.id, b.id AS bid, a.qty + b.qty AS q FROM trades a JOIN trades_json b ON a.side = b.side AND a.ts BETWEEN b.ts + INTERVAL '1' SECOND AND b.ts + INTERVAL '2' SECOND AND a.id <> b.id
