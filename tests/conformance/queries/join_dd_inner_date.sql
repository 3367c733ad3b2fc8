-- conformance: JOIN dim x dim on DATE equality
-- requires: joins
SELECT a.symbol AS a_sym, b.symbol AS b_sym, b.listed FROM dim a JOIN dim b ON a.listed = b.listed
