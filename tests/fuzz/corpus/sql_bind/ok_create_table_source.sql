-- expect: valid: CREATE TABLE with PRIMARY KEY declared
CREATE TABLE refdata (symbol VARCHAR, sector VARCHAR, PRIMARY KEY (symbol))
    WITH ('uri' = 'file://refdata.csv');
SELECT * FROM refdata;
