DROP TABLE query_times; PRAGMA user_version = 1;
