-- conformance: || concatenation
SELECT id, symbol || '-' || side AS k FROM trades
