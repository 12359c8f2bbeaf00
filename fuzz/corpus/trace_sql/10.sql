UPDATE instances SET batch = 7 WHERE idx = 0;
