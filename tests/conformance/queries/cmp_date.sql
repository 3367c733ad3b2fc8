-- conformance: DATE comparison
SELECT symbol, listed FROM dim WHERE listed >= DATE '2000-01-01'
