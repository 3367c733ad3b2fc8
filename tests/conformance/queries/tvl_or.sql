-- conformance: OR with NULL operands
SELECT id, flag OR qty > 500 AS a FROM trades
