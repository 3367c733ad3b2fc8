-- expect: syntax error: INSERT without INTO
INSERT out SELECT * FROM trades;
