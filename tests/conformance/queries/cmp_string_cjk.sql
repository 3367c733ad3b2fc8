-- conformance: VARCHAR equality with CJK
SELECT id, symbol, note FROM trades WHERE symbol = '北京'
