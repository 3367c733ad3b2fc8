-- conformance: simple CASE
SELECT id, CASE side WHEN 'BUY' THEN 1 WHEN 'SELL' THEN -1 ELSE 0 END AS dir FROM trades
