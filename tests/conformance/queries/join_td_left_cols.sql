-- conformance: LEFT JOIN trades x dim on symbol: columns of both sides
-- requires: joins
SELECT t.id, t.symbol AS tsym, d.symbol AS dsym, d.sector, d.listed FROM trades t LEFT JOIN dim d ON t.symbol = d.symbol
