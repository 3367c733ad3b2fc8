-- conformance: UNION (distinct) of two sources
-- requires: union
SELECT side FROM trades UNION SELECT side FROM trades_json
