-- conformance: LEFT JOIN with IS NOT DISTINCT FROM in the condition (nested loop)
-- requires: joins
SELECT a.symbol AS a_sym, b.symbol AS b_sym FROM dim a LEFT JOIN dim b ON a.sector IS NOT DISTINCT FROM b.sector AND a.symbol <> b.symbol
