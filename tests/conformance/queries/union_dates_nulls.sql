-- conformance: UNION ALL of DATE and NULL columns
-- requires: union
SELECT symbol, listed FROM dim UNION ALL SELECT symbol, NULL FROM dim WHERE weight > 0
