UPDATE round_blocks SET count = 2 WHERE first = 0;
