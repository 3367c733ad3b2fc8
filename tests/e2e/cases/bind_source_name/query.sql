-- the same file runs against test data or a production topic: FROM trades is bound with --bind
CREATE STREAM shorts AS SELECT id, symbol, qty FROM trades WHERE qty < 0 INTO 'file://shorts.jsonl';
