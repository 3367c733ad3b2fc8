-- conformance: quoted identifiers as aliases
SELECT id AS "Trade Id", price AS "Price €" FROM trades
