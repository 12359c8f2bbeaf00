INSERT INTO total_times VALUES (9, zeroblob(24), 0);
