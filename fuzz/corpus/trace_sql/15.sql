UPDATE query_times SET seconds = substr(seconds, 1, 40);
