-- conformance: LEFT then LEFT JOIN chain
-- requires: joins
SELECT t.id, d.sector, e.symbol AS esym FROM trades t LEFT JOIN dim d ON t.symbol = d.symbol LEFT JOIN dim e ON d.weight = e.weight AND e.weight > 1
