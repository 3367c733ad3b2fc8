-- conformance: ILIKE on ASCII
SELECT id, side FROM trades WHERE side ILIKE 'b%'
