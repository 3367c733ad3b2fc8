-- conformance: searched CASE with ELSE
SELECT id, CASE WHEN price < 0 THEN 'neg' WHEN price < 100 THEN 'small' WHEN price < 100000 THEN 'mid' ELSE 'huge' END AS bucket FROM trades
