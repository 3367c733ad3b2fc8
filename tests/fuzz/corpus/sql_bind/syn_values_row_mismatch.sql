-- expect: syntax error: VALUES rows of different lengths
INSERT INTO out VALUES (1, 'a'), (2);
