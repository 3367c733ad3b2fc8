-- conformance: DECIMAL(6,3) from the dim table
SELECT symbol, weight, weight * 2 AS w2, weight + 0.0005 AS w3 FROM dim
