-- conformance: FULL JOIN with CASE over NULLs of the outer side
-- requires: joins
SELECT t.id, CASE WHEN d.symbol IS NULL THEN 'none' ELSE d.sector END AS s FROM trades t FULL JOIN dim d ON t.symbol = d.symbol
