UPDATE rounds SET warmup = 2 WHERE idx = 1;
