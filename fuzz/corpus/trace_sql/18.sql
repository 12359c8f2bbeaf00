UPDATE experiment SET value = '[1,2' WHERE key = 'settings';
