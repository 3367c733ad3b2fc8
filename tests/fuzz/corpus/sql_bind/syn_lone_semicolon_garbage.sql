-- expect: syntax error: garbage after a statement
SELECT symbol FROM trades; garbage here;
