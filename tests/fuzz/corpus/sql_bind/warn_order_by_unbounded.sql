-- expect: warning: ORDER BY on an unbounded source never emits
SELECT * FROM 'kafka://broker:9092/trades' ORDER BY price;
