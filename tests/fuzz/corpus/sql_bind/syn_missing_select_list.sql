-- expect: syntax error: nothing between SELECT and FROM
SELECT FROM trades;
