-- expect: warning: unknown option 'delimter' in the URI (did you mean 'delimiter'?)
SELECT * FROM 'file://s.csv?delimter=;';
