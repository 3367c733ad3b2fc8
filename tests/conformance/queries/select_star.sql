-- conformance: SELECT * keeps every column
SELECT * FROM trades
