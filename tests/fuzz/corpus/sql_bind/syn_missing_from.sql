-- expect: syntax error: expected FROM (FORM misspelt)
SELECT symbol FORM trades;
