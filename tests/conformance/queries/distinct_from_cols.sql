-- conformance: IS DISTINCT FROM between DECIMAL columns
SELECT id, price IS DISTINCT FROM fee AS a FROM trades
