-- expect: syntax error: trailing comma in ORDER BY
SELECT symbol FROM trades ORDER BY symbol,;
