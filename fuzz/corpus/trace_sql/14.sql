UPDATE rounds SET checksum = checksum + 1;
