-- conformance: ROUND with negative digits
SELECT id, ROUND(price, -2) AS v FROM trades
