-- expect: bind error: unknown source 'orders': declare it or --bind
SELECT * FROM orders;
