DELETE FROM query_times;
