-- DuckDB spelling of join_dim_weighted.sql (DuckDB multiplies DECIMAL(18,2) * DECIMAL(6,3) in 64 bits and overflows near 10^12)
SELECT t.id, CAST(t.price AS DECIMAL(38,2)) * d.weight AS w FROM trades t JOIN dim d ON t.symbol = d.symbol
