-- conformance: DOUBLE arithmetic from columns
SELECT id, CAST(price AS DOUBLE) * qty AS a, CAST(fee AS DOUBLE) / 3 AS b FROM trades
