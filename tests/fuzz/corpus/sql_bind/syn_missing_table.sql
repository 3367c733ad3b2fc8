-- expect: syntax error: FROM without a source
SELECT symbol FROM;
