-- DuckDB spelling of join_arith_both.sql (DuckDB divides DECIMAL in double; casting keeps it exact)
SELECT t.id, CASE WHEN d.weight <> 0 THEN CAST(t.qty AS DECIMAL(38,3)) / d.weight END AS r FROM trades t JOIN dim d ON t.symbol = d.symbol WHERE t.qty < 1000
