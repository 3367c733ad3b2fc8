-- DuckDB spelling of round_product.sql
SELECT id, ROUND(CAST(price AS DECIMAL(38,2)) * fee, 4) AS v FROM trades
