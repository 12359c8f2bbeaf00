UPDATE round_blocks SET info = CAST(x'40' || substr(info, 2) AS BLOB) WHERE first = 1;
