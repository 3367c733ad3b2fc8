-- conformance: ROUND with negative digits
-- known-difference: velo-sql bug: ROUND(x, d) with d < 0 rounds to 0 digits (ROUND(1250, -2) is 1250, ROUND(12345.678, -2) is 12346.000; expected 1300 and 12300)
SELECT id, ROUND(price, -2) AS v FROM trades
