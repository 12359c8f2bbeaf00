PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = replace(sql, 'warmup', 'warm') WHERE name = 'rounds';
