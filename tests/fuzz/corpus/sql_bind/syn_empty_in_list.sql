-- expect: syntax error: IN ()
SELECT * FROM trades WHERE side IN ();
