-- expect: syntax error: SELEC is not a statement
SELEC symbol FROM trades;
