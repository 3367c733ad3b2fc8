-- conformance: || on Unicode text
SELECT id, symbol || '→' || symbol AS k FROM trades WHERE symbol IN ('Zoë', '北京')
