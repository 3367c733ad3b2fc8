-- conformance: JOIN dim x dim on a non-equality (nested loop)
-- requires: joins
SELECT a.symbol AS a_sym, b.symbol AS b_sym FROM dim a JOIN dim b ON a.weight < b.weight
