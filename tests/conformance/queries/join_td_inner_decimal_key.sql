-- conformance: JOIN on DECIMAL keys of different scales (cast to a common type)
-- requires: joins
SELECT a.id, d.symbol AS dsym FROM trades a JOIN dim d ON a.price = d.weight
