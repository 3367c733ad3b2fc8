-- expect: warning: GROUP BY without WINDOW on an unbounded source keeps one accumulator per key forever
SELECT symbol, COUNT(*) FROM 'kafka://broker:9092/trades' GROUP BY symbol EMIT CHANGES;
