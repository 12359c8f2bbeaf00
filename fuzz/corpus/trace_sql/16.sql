INSERT INTO inference_times VALUES (9, zeroblob(16), 0);
