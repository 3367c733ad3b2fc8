-- conformance: ROWS frames over ties in ORDER BY (the tied rows cannot be told apart in the output)
-- requires: window-functions
SELECT symbol, side, MIN(side) OVER (PARTITION BY symbol ORDER BY side ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS mn, COUNT(*) OVER (PARTITION BY symbol ORDER BY side ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING) AS c FROM trades WHERE side IS NOT NULL
