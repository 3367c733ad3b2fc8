-- conformance: ROW_NUMBER with ties in ORDER BY (the tied rows cannot be told apart in the output)
-- requires: window-functions
SELECT symbol, side, ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY side) AS rn FROM trades WHERE side IS NOT NULL
