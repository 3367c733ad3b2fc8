-- expect: syntax error: two commas in a row
SELECT symbol,, price FROM trades;
