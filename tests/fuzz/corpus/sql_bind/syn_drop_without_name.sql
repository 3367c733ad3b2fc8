-- expect: syntax error: DROP STREAM without a name
DROP STREAM;
