UPDATE inference_times SET seconds = zeroblob(8) WHERE first = 1;
