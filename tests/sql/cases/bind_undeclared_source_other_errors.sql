-- expect: warning for the undeclared source 'orders', its columns bind untyped; every other error still reported: unknown function, literal type error
SELECT UPPPER(customer) AS c,
       'a' + 1 AS bad,
       amount * 2 AS doubled
FROM orders
WHERE status = 'open';
