-- expect: syntax error: EMIT given twice
SELECT symbol, COUNT(*) FROM trades GROUP BY symbol EMIT CHANGES EMIT FINAL;
