-- conformance: LAG with ties in ORDER BY (the tied rows cannot be told apart in the output)
-- requires: window-functions
SELECT symbol, side, LAG(side) OVER (PARTITION BY symbol ORDER BY side) AS prev_side, LEAD(side, 2) OVER (PARTITION BY symbol ORDER BY side) AS next2 FROM trades WHERE side IS NOT NULL
