-- conformance: Unicode filter over JSON lines
SELECT id, symbol, note FROM trades_json WHERE symbol IN ('Zoë', '北京', 'straße')
