-- expect: syntax error: EMIT CHANGE
SELECT symbol, COUNT(*) FROM trades GROUP BY symbol EMIT CHANGE;
