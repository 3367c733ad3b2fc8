-- conformance: LENGTH of a concatenation
SELECT id, LENGTH(symbol || note) AS n FROM trades
