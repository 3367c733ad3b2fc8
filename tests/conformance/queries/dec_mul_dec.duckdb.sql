-- DuckDB spelling of dec_mul_dec.sql
SELECT id, CAST(price AS DECIMAL(38,2)) * fee AS a, fee * fee AS b FROM trades
