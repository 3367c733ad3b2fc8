-- conformance: IN mixing BIGINT and DECIMAL
SELECT id FROM trades WHERE price IN (5, 50, 1000)
