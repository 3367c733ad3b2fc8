-- conformance: ROUND(fee, 3) keeps scale digits
SELECT id, ROUND(fee, 3) AS f FROM trades
