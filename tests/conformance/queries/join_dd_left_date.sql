-- conformance: LEFT JOIN dim x dim on DATE equality
-- requires: joins
SELECT a.symbol AS a_sym, b.symbol AS b_sym, b.listed FROM dim a LEFT JOIN dim b ON a.listed = b.listed
