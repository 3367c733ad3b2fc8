-- expect: syntax error: two expressions without a comma
SELECT symbol price quantity FROM trades;
