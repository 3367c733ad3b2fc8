-- conformance: self-join on id + 1
-- requires: joins
SELECT a.id, b.price - a.price AS chg FROM trades a JOIN trades_json b ON b.id = a.id + 1
