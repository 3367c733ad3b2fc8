-- conformance: LENGTH counts characters
SELECT id, LENGTH(symbol) AS a, LENGTH(note) AS b FROM trades
