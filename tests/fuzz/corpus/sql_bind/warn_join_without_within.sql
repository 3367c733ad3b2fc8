-- expect: warning: stream-stream join without WITHIN keeps every row of both sides
SELECT t.symbol FROM 'kafka://b:9092/trades' t JOIN 'kafka://b:9092/quotes' q ON t.symbol = q.symbol;
