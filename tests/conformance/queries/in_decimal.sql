-- conformance: IN on DECIMAL across scales
SELECT id, price FROM trades WHERE price IN (0.01, 1.0, 123.45, 2.5)
