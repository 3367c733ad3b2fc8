SELECT a FROM 'file://x.csv' WITH ('format'='csv') WHERE a > 1;
