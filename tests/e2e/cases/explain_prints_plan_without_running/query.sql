-- EXPLAIN prints the plan of the statement and does not run it (no out.jsonl is written)
EXPLAIN CREATE STREAM s AS SELECT symbol, price * qty AS notional FROM 'file://in.csv' WHERE qty > 1 INTO 'file://out.jsonl';
SHOW STREAMS;
