UPDATE round_blocks SET info = substr(info, 1, 3) WHERE first = 0;
