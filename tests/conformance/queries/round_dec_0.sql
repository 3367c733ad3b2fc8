-- conformance: ROUND(DECIMAL) half away from zero
SELECT id, ROUND(price) AS r, ROUND(fee) AS f FROM trades
