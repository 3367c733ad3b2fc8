-- conformance: string literal with doubled quote
SELECT symbol, 'it''s' AS s, LENGTH('it''s') AS n FROM dim
