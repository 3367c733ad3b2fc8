-- conformance: operator precedence and parentheses
SELECT id, qty + id * 2 - 5 AS a, (qty + id) * 2 AS b, qty - id - 1 AS c FROM trades
