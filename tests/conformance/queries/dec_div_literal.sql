-- conformance: DECIMAL / DECIMAL literal
SELECT id, price / 2.5 AS a, fee / 0.3 AS b FROM trades
