-- expect: bind error: DROP of an unknown stream without IF EXISTS
DROP STREAM nothing_here;
