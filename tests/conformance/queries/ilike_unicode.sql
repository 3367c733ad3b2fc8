-- conformance: ILIKE on non-ASCII letters
-- known-difference: velo-sql bug: ILIKE folds only ASCII letters ('Zoë' ILIKE 'zoË' is false) although UPPER/LOWER fold Unicode
SELECT id, symbol FROM trades WHERE symbol ILIKE 'zoË'
