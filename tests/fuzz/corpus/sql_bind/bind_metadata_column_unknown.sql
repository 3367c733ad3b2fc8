-- expect: bind error: unknown metadata column '_offest'; did you mean '_offset'
SELECT _offest FROM 'kafka://broker:9092/trades';
