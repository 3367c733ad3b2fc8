-- expect: syntax error: operator without right operand
SELECT price + FROM trades;
