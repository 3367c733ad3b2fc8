-- conformance: FULL JOIN with an extra predicate in ON (part of the match)
-- requires: joins
SELECT t.id, d.sector, d.weight FROM trades t FULL JOIN dim d ON t.symbol = d.symbol AND t.qty > 500
