-- conformance: NULL AND FALSE is FALSE
SELECT id, flag AND FALSE AS a, NULL AND flag AS b FROM trades
