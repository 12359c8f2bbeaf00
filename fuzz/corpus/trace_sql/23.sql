UPDATE round_blocks SET measured = 7;
