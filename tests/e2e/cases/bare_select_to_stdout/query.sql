SELECT symbol, price, price * 2 AS doubled FROM 'file://in.csv' WHERE qty > 0;
