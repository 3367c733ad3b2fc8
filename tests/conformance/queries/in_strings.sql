-- conformance: IN on VARCHAR incl. Unicode
SELECT id, symbol FROM trades WHERE symbol IN ('AAPL', 'Zoë', '北京')
