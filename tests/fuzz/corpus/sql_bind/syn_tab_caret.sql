-- expect: syntax error: caret keeps tabs
SELECT	symbol	FORM trades;
