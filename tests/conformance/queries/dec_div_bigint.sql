-- conformance: DECIMAL / BIGINT: Spark/SQL Server scale (value compared)
SELECT id, price / 3 AS a, fee / 7 AS b FROM trades
