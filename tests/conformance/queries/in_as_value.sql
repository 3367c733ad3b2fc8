-- conformance: IN as a value with NULL operand
SELECT id, symbol IN ('AAPL', 'MSFT') AS a FROM trades
