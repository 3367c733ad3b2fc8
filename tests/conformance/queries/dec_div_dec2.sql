-- conformance: small DECIMAL / DECIMAL
SELECT id, CASE WHEN price <> 0 THEN fee / price END AS a FROM trades WHERE price BETWEEN -1000 AND 1000
