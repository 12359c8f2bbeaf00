UPDATE experiment SET value = '-1' WHERE key = 'batch_count';
