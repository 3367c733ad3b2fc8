-- expect: syntax error: GROUP without BY
SELECT symbol FROM trades GROUP symbol;
