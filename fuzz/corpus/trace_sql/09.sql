DELETE FROM instances WHERE idx = 1;
