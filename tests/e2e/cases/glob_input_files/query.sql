CREATE STREAM all_parts AS SELECT n, v FROM 'file://parts/p*.csv' INTO 'file://out.csv?format=csv';
