-- conformance: AND with NULL operands
SELECT id, flag AND qty > 500 AS a FROM trades
