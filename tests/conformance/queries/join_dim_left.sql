-- conformance: LEFT JOIN keeps unmatched rows
-- requires: joins
SELECT t.id, d.sector, d.weight FROM trades t LEFT JOIN dim d ON t.symbol = d.symbol
