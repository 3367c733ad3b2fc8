-- expect: syntax error: both statements reported (recovery at ';')
SELECT symbol FORM trades;
SELECT price, FROM trades;
