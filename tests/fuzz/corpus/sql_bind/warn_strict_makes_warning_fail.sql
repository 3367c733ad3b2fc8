-- expect: warning: unbounded GROUP BY (run with --strict by hand: exit 1)
SELECT side, COUNT(*) FROM 'kafka://broker:9092/trades' GROUP BY side;
