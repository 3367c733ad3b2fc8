-- conformance: IS TRUE / IS FALSE / IS NOT TRUE / IS NOT FALSE
SELECT id, flag IS TRUE AS a, flag IS FALSE AS b, flag IS NOT TRUE AS c, flag IS NOT FALSE AS d FROM trades
