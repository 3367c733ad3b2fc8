-- conformance: ROUND of a DECIMAL quotient
SELECT id, ROUND(price / 3, 2) AS v FROM trades
