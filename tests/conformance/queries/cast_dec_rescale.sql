-- conformance: DECIMAL -> smaller scale rounds half away from zero
SELECT id, CAST(fee AS DECIMAL(10,1)) AS f1, CAST(fee AS DECIMAL(12,2)) AS f2, CAST(price AS DECIMAL(20,0)) AS p0 FROM trades
