-- expect: valid: a whole pipeline file
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
CREATE STREAM quotes (symbol VARCHAR, bid DECIMAL(12,2), ask DECIMAL(12,2), ts TIMESTAMP)
    WITH ('uri' = 'file://quotes.csv', 'event.time.field' = 'ts');
CREATE STREAM enriched AS
SELECT t.symbol, t.price, q.bid, q.ask FROM trades t JOIN quotes q ON t.symbol = q.symbol WITHIN 5s
INTO 'file://enriched.jsonl';
CREATE STREAM spread AS SELECT symbol, ask - bid AS spread FROM quotes INTO 'file://spread.jsonl';
