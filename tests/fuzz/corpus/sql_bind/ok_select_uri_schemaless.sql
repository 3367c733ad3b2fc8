-- expect: valid: FROM a URI: schemaless, columns bind as ANY
SELECT symbol, price FROM 'file://trades.jsonl' WHERE price > 10;
