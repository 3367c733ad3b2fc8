-- conformance: DECIMAL + and - with equal scales
SELECT id, price + price AS a, price - price AS b FROM trades
