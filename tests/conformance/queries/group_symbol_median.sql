-- conformance: GROUP BY symbol MEDIAN
-- requires: aggregation
-- known-difference: DuckDB semantic difference: MEDIAN of DECIMAL(p,s) in DuckDB truncates the mean of the two middle values to scale s (454.5377); velo-sql keeps it exact at scale s+1 (454.53775), see docs/sql/aggregates.md
SELECT symbol, MEDIAN(qty) AS mq, MEDIAN(fee) AS mf FROM trades GROUP BY symbol
