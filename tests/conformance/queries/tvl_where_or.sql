-- conformance: WHERE keeps only TRUE with OR
SELECT id FROM trades WHERE flag OR price > 900
