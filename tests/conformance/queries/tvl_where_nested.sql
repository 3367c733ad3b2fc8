-- conformance: nested AND/OR/NOT
SELECT id FROM trades WHERE (symbol = 'AAPL' OR symbol = 'Zoë') AND NOT (side = 'SELL' OR price < 0)
