-- conformance: DECIMAL / DECIMAL guarded against zero
SELECT id, CASE WHEN fee <> 0 THEN price / fee END AS a FROM trades
