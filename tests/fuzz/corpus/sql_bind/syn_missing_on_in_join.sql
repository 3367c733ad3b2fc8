-- expect: syntax error: JOIN without ON
SELECT * FROM trades t JOIN quotes q WHERE t.symbol = q.symbol;
