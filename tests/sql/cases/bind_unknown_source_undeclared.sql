-- expect: warning (exit 0): unknown source 'orders' binds schemaless (columns not checked); declare it or --bind
SELECT * FROM orders;
